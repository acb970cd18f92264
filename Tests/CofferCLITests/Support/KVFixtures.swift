// Server answers shared by the `kv` command tests.

/// A KV v2 write answer: the new version's metadata.
let kvWrittenMetadata = """
    {"request_id": "r1", "data": {"created_time": "2024-01-01T00:00:00Z", "custom_metadata": null,
     "deletion_time": "", "destroyed": false, "version": 3}, "warnings": null, "auth": null, "wrap_info": null}
    """

/// A KV v2 read answer for version 2.
let kvVersion2 = """
    {"request_id": "r2", "lease_duration": 0, "data": {
      "data": {"foo": "bar", "password": "hunter2"},
      "metadata": {"created_time": "2024-01-01T00:00:00Z", "custom_metadata": null, "deletion_time": "",
                   "destroyed": false, "version": 2}}}
    """

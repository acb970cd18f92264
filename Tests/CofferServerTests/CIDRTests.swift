
import CofferLogical
import Testing

@Suite("CIDR blocks")
struct CIDRTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.255.1.2", true),
        ("10.0.0.0/8", "11.0.0.1", false),
        ("10.0.0.5/8", "10.9.9.9", true),
        ("192.168.1.7", "192.168.1.7", true),
        ("192.168.1.7", "192.168.1.8", false),
        ("0.0.0.0/0", "8.8.8.8", true),
        ("2001:db8::/32", "2001:db8:1::5", true),
        ("2001:db8::/32", "2001:db9::5", false),
        ("::1", "::1", true),
        ("127.0.0.0/8", "::ffff:127.0.0.1", true),
        ("::ffff:0:0/96", "1.2.3.4", true),
        ("10.0.0.0/8", "2001:db8::1", false),
        ("fe80::/10", "fe80::1:2:3:4", true),
    ])
    func membership(_ block: String, _ address: String, _ expected: Bool) throws {
        let cidr = try #require(CIDRBlock(block))
        let ip = try #require(IPAddress(address))
        #expect(cidr.contains(ip) == expected)
    }

    @Test(arguments: ["", "10.0.0.0/33", "10.0.0/8", "256.0.0.1", "01.2.3.4", "1.2.3.4/", "1.2.3.4/-1", "::/129",
                      "1::2::3", ":::", "12345::", "g::1", "1.2.3.4/8/8", "localhost", "1:2:3:4:5:6:7:8:9", "+1.2.3.4"])
    func rejects(_ text: String) {
        #expect(CIDRBlock(text) == nil)
    }

    @Test func remoteAddressForms() throws {
        #expect(IPAddress(remote: "10.0.0.1:443") == IPAddress("10.0.0.1"))
        #expect(IPAddress(remote: "[2001:db8::1]:8200") == IPAddress("2001:db8::1"))
        #expect(IPAddress(remote: "2001:db8::1") == IPAddress("2001:db8::1"))
        #expect(IPAddress(remote: "host:80") == nil)
        #expect(CIDRList.allows(nil, []))
        #expect(!CIDRList.allows(nil, ["0.0.0.0/0"]))
        #expect(!CIDRList.allows("garbage", ["0.0.0.0/0"]))
        #expect(CIDRList.allows("10.0.0.1:5000", ["10.0.0.0/24"]))
    }

    @Test func blockContainment() throws {
        let wide = try #require(CIDRBlock("10.0.0.0/8"))
        #expect(wide.contains(try #require(CIDRBlock("10.1.0.0/16"))))
        #expect(!wide.contains(try #require(CIDRBlock("0.0.0.0/0"))))
        #expect(wide.contains(try #require(CIDRBlock("10.0.0.1"))))
    }

    @Test func ipv6Expansion() throws {
        #expect(IPAddress("::")?.bytes == [UInt8](repeating: 0, count: 16))
        #expect(IPAddress("1:2:3:4:5:6:7::")?.bytes.suffix(2) == [0, 0])
        #expect(IPAddress("::ffff:1.2.3.4")?.isIPv4 == true)
        #expect(IPAddress("1.2.3.4")?.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])
    }
}

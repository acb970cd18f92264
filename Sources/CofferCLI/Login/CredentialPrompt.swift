/// Asking for a credential the user did not pass as an argument (a token, a password).
enum CredentialPrompt {
    /// On a terminal: writes `prompt` to standard error and reads one line with echo turned
    /// off. Otherwise (piped input): reads the first line of standard input without a
    /// prompt, so that `echo "$PASSWORD" | coffer login ...` works in scripts. The line ending
    /// is dropped; nothing else is trimmed (passwords may hold spaces). "" at end of input.
    static func read(_ prompt: String, run: CommandRun) throws -> String {
        let input = run.context.stdin
        if input.isTerminal {
            return try input.readSecretLine(prompt: prompt, output: run.context.stderr) ?? ""
        }
        return try input.readLine() ?? ""
    }
}

@testable import CofferCLI
import Testing

@Suite("vault-style balanced wrapping")
struct TextWrapBalancedTests {
    @Test func evensOutLinesLikeVault() {
        #expect(
            TextWrap.balanced(
                "Success! You are now authenticated. The token information displayed below is already stored in "
                    + "the token helper. You do NOT need to run \"vault login\" again. Future Vault requests will "
                    + "automatically use this token.") == """
                Success! You are now authenticated. The token information displayed below
                is already stored in the token helper. You do NOT need to run "vault login"
                again. Future Vault requests will automatically use this token.
                """)
        #expect(
            TextWrap.balanced(
                "WARNING! The VAULT_TOKEN environment variable is set! The value of this variable will take "
                    + "precedence; if this is unwanted please unset VAULT_TOKEN or update its value accordingly.") == """
                WARNING! The VAULT_TOKEN environment variable is set! The value of this
                variable will take precedence; if this is unwanted please unset VAULT_TOKEN or
                update its value accordingly.
                """)
    }

    @Test func shortTextAndLongWords() {
        #expect(TextWrap.balanced("short text") == "short text")
        #expect(TextWrap.balanced("") == "")
        let long = String(repeating: "x", count: 90)
        // An over-long line costs a fixed penalty, so the long word shares a line rather than
        // leaving a nearly empty one (as kr/text does).
        #expect(TextWrap.balanced("a \(long) b") == "a \(long)\nb")
        #expect(TextWrap.balanced("one\ntwo three", width: 9) == "one two\nthree", "line breaks become spaces")
    }
}

import Testing
@testable import SocketIOClient

@Suite struct LogRedactionTests {
    @Test func everythingAfterACredentialMarkerIsBlankedOut() {
        let cases: [(String, String)] = [
            (#"No supported protocol "bearer.v1.1796.alice.00ff""#, #"No supported protocol "bearer.<redacted>"#),
            (#"No supported protocol "chat, Bearer.secret-1, x""#, #"No supported protocol "chat, Bearer.<redacted>"#),
            ("   authorization: = Bearer s3cr3t token", "   authorization:<redacted>"),
            ("   get uri: = /feed?types=records&token=abc123&since=x", "   get uri: = /feed?types=records&token=<redacted>"),
            ("   uri-args: = token=abc123", "   uri-args: = token=<redacted>"),
            ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization:<redacted>"),
            ("x token=Bearer abc", "x token=<redacted>"),
        ]
        for (line, expected) in cases {
            #expect(LogRedaction.redacted(line) == expected)
        }
    }

    @Test func linesWithoutCredentialsAreUnchanged() {
        for line in ["lws_process_ws_upgrade: pcol name too long", "authorization failed", "no bearer", "token=",
                     "ah excessive hold: wsi 0x55d1", "", "é bearer"] {
            #expect(LogRedaction.redacted(line) == line)
        }
    }
}

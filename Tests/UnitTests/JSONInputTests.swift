import Foundation
import Testing

@testable import ServiceRuntime

/// What a request body may carry before it is decoded.
@Suite struct JSONInputTests {
    @Test(arguments: [
        #"{"name":"\u0000"}"#, #"{"name":"a\u0000b"}"#, #"["\u0000"]"#, #"{"a":"\\\u0000"}"#, #"{"\u0000":1}"#,
    ])
    func aNULCharacterIsFound(_ body: String) {
        #expect(JSONInput.carriesNUL(Data(body.utf8)))
    }

    /// An escaped backslash followed by the text `u0000`, other escapes, and near misses are not NUL.
    @Test(arguments: [
        #"{"name":"\\u0000"}"#, #"{"name":"\u0001"}"#, #"{"name":"\u4e2d\n\"0000"}"#,
        #"{"name":"u0000"}"#, #"{"name":"\u000"}"#, "", #"\"#,
    ])
    func otherTextIsNot(_ body: String) {
        #expect(!JSONInput.carriesNUL(Data(body.utf8)))
    }
}

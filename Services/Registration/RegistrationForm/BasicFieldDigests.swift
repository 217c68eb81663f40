import Access
import Contracts
import Foundation

/// One keyed digest per reported basic field (`ReportedFields.basic`, in order), from the form's
/// JSON as it is sealed: what `registration.basic_digests` holds, so that a data report compares
/// candidates field by field without opening their data.
enum BasicFieldDigests {
    static func digests(of basicJSON: Data, cipher: PersonalDataCipher) -> [Int32] {
        let object = (try? JSONSerialization.jsonObject(with: basicJSON)) as? [String: Any] ?? [:]
        return ReportedFields.basic.map { name in
            let value = object[name].map { "\($0)" } ?? ""
            let hash = cipher.lookupHash("\(name)=\(value)", purpose: "report-field")
            return Int32(bitPattern: UInt32(hash[0]) << 24 | UInt32(hash[1]) << 16 | UInt32(hash[2]) << 8 | UInt32(hash[3]))
        }
    }

    /// As a PostgreSQL array literal (a batch binds one text per candidate: no nested arrays).
    static func arrayText(of basicJSON: Data, cipher: PersonalDataCipher) -> String {
        "{" + digests(of: basicJSON, cipher: cipher).map(String.init).joined(separator: ",") + "}"
    }
}

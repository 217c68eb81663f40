import Foundation
import RegistrationService
import ServiceRuntime

/// Candidates' online registration (报名系统): accounts, personal data, choices, the pledge.
@main
struct RegistrationApp {
    static func main() async {
        exit(await ServiceMain.run(.registration))
    }
}

import Foundation
import ConfirmationService
import ServiceRuntime

/// On-site confirmation (现场确认) at confirmation points: photos, candidate numbers, bulk entry.
@main
struct ConfirmationApp {
    static func main() async {
        exit(await ServiceMain.run(.confirmation))
    }
}

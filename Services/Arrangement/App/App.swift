import Foundation
import ArrangementService
import ServiceRuntime

/// Exam arrangement (考务编排): districts, sites, scope rules, admission-ticket numbering, rooms to sites.
@main
struct ArrangementApp {
    static func main() async {
        exit(await ServiceMain.run(.arrangement))
    }
}

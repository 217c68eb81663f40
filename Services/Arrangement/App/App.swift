import Foundation
import ArrangementService
import ServiceRuntime

/// Exam arrangement (编排): exam sites, districts, admission-ticket numbering, rooms to sites.
@main
struct ArrangementApp {
    static func main() async {
        exit(await ServiceMain.run(.arrangement))
    }
}

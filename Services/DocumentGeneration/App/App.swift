import Foundation
import DocumentGenerationService
import ServiceRuntime

/// Exam documents as PDF: flow forms, admission tickets, site materials, registration forms.
@main
struct DocumentGenerationApp {
    static func main() async {
        exit(await ServiceMain.run(.documentGeneration))
    }
}

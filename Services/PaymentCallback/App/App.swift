import Foundation
import PaymentCallbackService
import ServiceRuntime

/// Payment providers' asynchronous notifications (网上缴费回调), stored before they are answered,
/// and the worker that applies them, queries silent orders and expires unpaid ones.
@main
struct PaymentCallbackApp {
    static func main() async {
        exit(await ServiceMain.run(.paymentCallback))
    }
}

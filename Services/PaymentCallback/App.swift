import Foundation
import ServiceRuntime

/// Payment providers' asynchronous notifications (网上缴费回调), stored before they are answered.
@main
struct PaymentCallbackApp {
    static func main() async {
        exit(await ServiceMain.run(.paymentCallback))
    }
}

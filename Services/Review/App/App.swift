import Foundation
import ReviewService
import ServiceRuntime

/// Staff reviews: staff accounts, points, exemptions (免试入学), bonus-point claims (照顾加分),
/// reports up the tree.
@main
struct ReviewApp {
    static func main() async {
        exit(await ServiceMain.run(.review))
    }
}

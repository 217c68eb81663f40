import Access
import Hummingbird
import Payments
import ServiceLifecycle
import ServiceRuntime

extension ServiceDefinition {
    /// Port 8103 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let paymentCallback = ServiceDefinition(
        name: "PaymentCallback", defaultPort: 8103, addRoutes: PaymentRoutesSetup.add, workers: PaymentWorkers.workers)
}

/// Providers' notifications (`/callbacks/alipay`, `/callbacks/wechat`, behind the gateway's
/// `/callbacks/payment/`), and staff's views of payments (refunds owed, anomalies, reconciliation).
public enum PaymentRoutesSetup {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        access.protect(router)
        try add(to: router, dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies, access: AccessControl) throws {
        let settings = try PaymentSettings(reader: dependencies.reader)
        NotificationInbox(settings: settings, postgres: dependencies.postgres, logger: dependencies.logger).add(to: router)
        ReconciliationRoutes(access: access, postgres: dependencies.postgres, logger: dependencies.logger).add(to: router)
        UnpaidFollowUpRoutes(access: access, postgres: dependencies.postgres, logger: dependencies.logger).add(to: router)
    }
}

/// The payment worker: applies stored notifications, queries silent orders, enforces the deadline.
public enum PaymentWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        let settings = try PaymentSettings(reader: dependencies.reader)
        // Two appliers: a batch's statements wait on PostgreSQL one after another, so one applier
        // alone gets too small a share of a machine busy with callbacks (the backlog then outlives
        // the peak) and leaves a core idle when it drains a backlog. They share the inbox safely.
        let appliers = (0..<2).map { _ in NotificationApplier(postgres: dependencies.postgres, logger: dependencies.logger) }
        return appliers + [
            OrderFollowUp(
                postgres: dependencies.postgres, queries: ProviderQueries(settings: settings),
                inbox: NotificationInbox(settings: settings, postgres: dependencies.postgres, logger: dependencies.logger),
                queryAfter: settings.queryAfter, logger: dependencies.logger),
        ]
    }
}

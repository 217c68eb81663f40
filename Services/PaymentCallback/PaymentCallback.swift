import Access
import Hummingbird
import Payments
import ServiceLifecycle
import ServiceRuntime

extension ServiceDefinition {
    /// Port 8103 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let paymentCallback = ServiceDefinition(
        name: "PaymentCallback", defaultPort: 8103, addRoutes: PaymentAPI.add, workers: PaymentWorkers.workers)
}

/// Paying (网上缴费): candidates' orders (`/api/payment/orders`), providers' notifications
/// (`/callbacks/alipay`, `/callbacks/wechat`, behind the gateway's `/callbacks/payment/`), and
/// staff's views of payments (unpaid candidates, reconciliation).
public enum PaymentAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        try add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) throws {
        let settings = try PaymentSettings(reader: dependencies.reader)
        PaymentOrderRoutes(
            access: access, store: PaymentOrderStore(postgres: dependencies.postgres, logger: dependencies.logger),
            settings: try PaymentOrderSettings(reader: dependencies.reader)
        ).add(to: routes)
        NotificationInbox(settings: settings, postgres: dependencies.postgres, logger: dependencies.logger).add(to: routes)
        ReconciliationRoutes(access: access, store: ReconciliationStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
        UnpaidFollowUpRoutes(access: access, store: UnpaidFollowUpStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
    }
}

/// The payment worker: applies stored notifications, queries silent orders, enforces the deadline.
public enum PaymentWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        let settings = try PaymentSettings(reader: dependencies.reader)
        // One applier: two in one process halved each batch and cost PostgreSQL and this process
        // a tenth more per notification (interleaved runs), while one keeps up with the callbacks.
        // More worker processes (ops/scale) share the queue safely when a backlog must drain faster.
        return [
            NotificationApplier(postgres: dependencies.postgres, logger: dependencies.logger),
            OrderFollowUp(
                postgres: dependencies.postgres, queries: ProviderQueries(settings: settings),
                inbox: NotificationInbox(settings: settings, postgres: dependencies.postgres, logger: dependencies.logger),
                queryAfter: settings.queryAfter, logger: dependencies.logger),
        ]
    }
}

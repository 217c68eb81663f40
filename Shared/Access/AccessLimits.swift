/// Every rate limit the services apply behind the gateway's own per-address cap, in one place.
/// Budgets are GCRA (RateLimiter): the full amount may come at once, then one more per
/// `period / limit`, so a legitimate user who hits one waits seconds, not the whole period.
public enum AccessLimits {
    /// Login attempts from one client address (a school's shared NAT: generous).
    public static let loginPerAddress = RateLimit(name: "login-address", limit: 60, period: .seconds(60))
    /// Failed logins of one account: at most 100 an hour (then one more each 36 s), counted
    /// whatever the address, so spreading a guessing attack over many addresses does not help.
    public static let loginFailuresPerAccount = RateLimit(name: "login-failures", limit: 100, period: .seconds(3600))
    /// Sign-ups and staff applications from one client address.
    public static let signUpPerAddress = RateLimit(name: "sign-up-address", limit: 20, period: .seconds(60))
    /// Verification codes: per account (its phone is charged and pestered) and per address.
    public static let codesPerAccount = RateLimit(name: "code-account", limit: 5, period: .seconds(3600))
    public static let codesPerAddress = RateLimit(name: "code-address", limit: 20, period: .seconds(3600))
    /// The SMS telling a candidate that strangers spent their login budget: at most one an hour.
    public static let lockoutNoticePerAccount = RateLimit(name: "lockout-notice", limit: 1, period: .seconds(3600))
    /// Wrong verification codes for one account (or one login challenge) before its codes stop being checked.
    public static let codeFailuresPerAccount = RateLimit(name: "code-failures", limit: 10, period: .seconds(3600))
    /// Form submissions (saving, submitting) of one signed-in account.
    public static let formsPerAccount = RateLimit(name: "forms-account", limit: 30, period: .seconds(60))
}

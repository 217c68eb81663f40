/// Every work queue of the system, in one place. Every process declares all of them (with their
/// bindings) when it connects, so that an event finds its queues even before their consumers
/// first start; otherwise the relay would have to park it as unroutable.
///
/// A capability adds its queue here, e.g.
/// `WorkQueue(name: "documents.requests", bindingKeys: ["document.requested"])`.
public enum SystemQueues {
    /// Documents asked for (the registration flow form, tickets, ...): the document-generation
    /// service renders them; until it does they wait here, visible in the queue's depth.
    public static let documentRequests = WorkQueue(name: "documents.requests", bindingKeys: ["document.requested"])

    /// Batches of paper draft forms waiting for the registration worker to import them.
    public static let paperFormImports = WorkQueue(name: "registration.paper-forms", bindingKeys: ["paper_form.uploaded"])

    /// Steps a candidate is told of by SMS (confirmed, with the candidate number; paid): the
    /// registration worker writes and sends the notices.
    public static let candidateNotices = WorkQueue(name: "registration.candidate-notices", bindingKeys: ["candidate.confirmed", "payment.completed"])

    /// Every candidate event: the Review worker keeps its counts by node, status, level and
    /// subject category from them.
    public static let candidateStatistics = WorkQueue(
        name: "review.candidate-statistics",
        bindingKeys: ["candidate.submitted", "candidate.confirmed", "payment.completed", "candidate.invalidated", "candidate.moved"])

    /// Confirmed candidates: the Review worker awards the year's automatic bonus policies (an age
    /// on a date) from their locked form.
    public static let automaticBonus = WorkQueue(name: "review.automatic-bonus", bindingKeys: ["candidate.confirmed"])

    /// Numbering runs the province asked for: one at a time on an Arrangement worker. A run
    /// takes seconds; a killed one is redelivered and done again from the start.
    public static let numberingRuns = WorkQueue(name: "arrangement.numbering", bindingKeys: ["numbering.requested"])

    /// Published arrangements and later corrections: the document service notes which candidates'
    /// admission tickets are to be made (again).
    public static let admissionTickets = WorkQueue(name: "documents.admission-tickets", bindingKeys: ["arrangement.published", "admission_ticket.changed"])

    /// Documents to draw in bulk (batches of admission tickets, the rooms of site packs): every
    /// document worker takes from it, so more workers finish sooner.
    public static let documentRendering = WorkQueue(name: "documents.render", bindingKeys: ["document.tickets_due", "document.site_pack_room"])

    public static let all: [WorkQueue] = [
        documentRequests, paperFormImports, candidateNotices, candidateStatistics, automaticBonus, numberingRuns, admissionTickets,
        documentRendering,
    ]
}

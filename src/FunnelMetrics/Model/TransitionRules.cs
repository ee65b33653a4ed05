using System.Runtime.CompilerServices;

namespace FunnelMetrics;

/// <summary>
/// The one table of what may follow what, consulted by the recorder (what a request records), by
/// <see cref="ClientState"/> (folding and <see cref="ClientState.CanMove(PipelineDefinition, StageId, out FunnelRule)"/>), by the metrics log's build and by the
/// live view (checking stored events). A state machine in the Stateless style: client status x transition kind ->
/// allowed and the status after, or the <see cref="FunnelRule"/> broken; then the rules that need the stage order.
/// </summary>
/// <remarks>
/// <code>
///               Entered         Advanced/Skipped/Regressed  Won               Lost              Reopened
/// NotEntered    -> Open         ClientNotEntered            ClientNotEntered  ClientNotEntered  ClientNotEntered
/// Open          AlreadyEntered  -> Open                     -> Won            -> Lost           ReopenOfOpenClient
/// Won, Lost     AlreadyEntered  ClientClosed                ClientClosed      ClientClosed      -> Open
/// </code>
/// Then, by stage: an entry or reopen not into the won stage (<see cref="FunnelRule.EntryIntoWonStage"/>,
/// <see cref="FunnelRule.ReopenIntoWonStage"/>); a move not to the current stage (<see cref="FunnelRule.SameStage"/>)
/// and of the kind <see cref="PipelineDefinition.ClassifyMove"/> gives (<see cref="FunnelRule.KindContradictsStageOrder"/>).
/// Activities, reassignments and client updates are not transitions and are allowed in every status (a reassignment
/// only from the current owner); an update changes neither status, stage, owner nor the last touch. Allocation-free:
/// one byte read per check.
/// </remarks>
internal static class TransitionRules
{
    /// <summary>The stage index of a client that has not entered.</summary>
    public const int NoStage = -1;

    private const int KindCount = 7;

    /// <summary>A cell with this bit set allows the transition and holds the status after it; otherwise it holds the rule broken.</summary>
    private const byte Allowed = 0x80;

    private const byte ToOpen = Allowed | (byte)ClientStatus.Open;
    private const byte ToWon = Allowed | (byte)ClientStatus.Won;
    private const byte ToLost = Allowed | (byte)ClientStatus.Lost;
    private const byte NotEntered = (byte)FunnelRule.ClientNotEntered;
    private const byte Entered = (byte)FunnelRule.AlreadyEntered;
    private const byte Closed = (byte)FunnelRule.ClientClosed;
    private const byte OpenReopen = (byte)FunnelRule.ReopenOfOpenClient;

    /// <summary>Status (row) x kind (column), in the enums' order; compiled into the assembly's data, not allocated.</summary>
    private static ReadOnlySpan<byte> Table =>
    [
        // Entered, Advanced, Skipped, Regressed, Won,     Lost,       Reopened
        ToOpen,     NotEntered, NotEntered, NotEntered, NotEntered, NotEntered, NotEntered, // NotEntered
        Entered,    ToOpen,   ToOpen,  ToOpen,    ToWon,   ToLost,     OpenReopen,          // Open
        Entered,    Closed,   Closed,  Closed,    Closed,  Closed,     ToOpen,              // Won
        Entered,    Closed,   Closed,  Closed,    Closed,  Closed,     ToOpen,              // Lost
    ];

    /// <summary>The table's cell: whether a client in <paramref name="status"/> may make a transition of <paramref name="kind"/>.</summary>
    /// <param name="status">The client's status before.</param>
    /// <param name="kind">The transition's kind.</param>
    /// <param name="next">The status after, when allowed.</param>
    /// <param name="broken">The rule broken, when not.</param>
    /// <returns>Whether the status allows the kind.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Allows(ClientStatus status, TransitionKind kind, out ClientStatus next, out FunnelRule broken)
    {
        var cell = Table[((int)status * KindCount) + (int)kind];
        next = (ClientStatus)(cell & ~Allowed);
        broken = (FunnelRule)cell;
        return cell >= Allowed;
    }

    /// <summary>The kind a move request to <paramref name="to"/> records: an entry before the first, else the stage order's kind.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="status">The client's status.</param>
    /// <param name="stage">The client's stage index, or <see cref="NoStage"/>.</param>
    /// <param name="to">The target's stage index.</param>
    /// <returns>The kind, which <see cref="Check"/> may still refuse (a move of a closed client, a move to the same stage).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionKind KindOfMove(PipelineDefinition pipeline, ClientStatus status, int stage, int to) =>
        status == ClientStatus.NotEntered ? TransitionKind.Entered : pipeline.ClassifyMove(stage, to);

    /// <summary>The whole check of a transition from the client's current stage: the table, then the stage rules.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="status">The client's status before.</param>
    /// <param name="stage">The client's stage index before, or <see cref="NoStage"/>.</param>
    /// <param name="kind">The transition's kind.</param>
    /// <param name="to">The target's stage index, or <see cref="NoStage"/> for a loss.</param>
    /// <param name="next">The status after, when allowed.</param>
    /// <param name="broken">The rule broken, when not.</param>
    /// <returns>Whether the transition may follow.</returns>
    public static bool Check(PipelineDefinition pipeline, ClientStatus status, int stage, TransitionKind kind, int to, out ClientStatus next, out FunnelRule broken) =>
        Allows(status, kind, out next, out broken) && StageRules(pipeline, stage, kind, to, out broken);

    /// <summary>
    /// The status and stage index after a stored transition, checked in full: the table, the from-stage (as
    /// <see cref="ClientState.Apply"/> checks both, so the two name the same rule), a known target, then the stage rules.
    /// The log's build and the live view call this for every transition.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="status">The client's status before.</param>
    /// <param name="stage">The client's stage index before, or <see cref="NoStage"/>.</param>
    /// <param name="t">The transition.</param>
    /// <param name="paramName">The parameter that held it, for the exception.</param>
    /// <param name="nextStage">The stage index after: the target, or the stage kept by a loss.</param>
    /// <returns>The status after.</returns>
    /// <exception cref="FunnelHistoryException">The transition cannot follow; the message and <see cref="FunnelHistoryException.Rule"/> say why.</exception>
    public static ClientStatus Follow(PipelineDefinition pipeline, ClientStatus status, int stage, StageTransition t, string? paramName, out int nextStage)
    {
        var kind = t.Kind;
        if (!Allows(status, kind, out var next, out var broken))
        {
            throw Broken(t, broken, Problem(broken, t, status, KeyOf(pipeline, stage), null), paramName);
        }

        if (kind != TransitionKind.Entered && (t.FromStage is not { } source || pipeline.IndexOf(source) != stage))
        {
            var problem = Problem(FunnelRule.FromStageMismatch, t, status, KeyOf(pipeline, stage), null);
            throw Broken(t, FunnelRule.FromStageMismatch, t.FromStage is { } f && !pipeline.Contains(f) ? $"{problem} (pipeline '{pipeline.Id}' has no stage '{f}')" : problem, paramName);
        }

        var to = NoStage;
        if (t.ToStage is { } target && (to = pipeline.IndexOf(target)) < 0)
        {
            throw Broken(t, FunnelRule.UnknownStage, $"moves to stage '{target}', which pipeline '{pipeline.Id}' does not have", paramName);
        }

        if (!StageRules(pipeline, stage, kind, to, out broken))
        {
            var expected = broken == FunnelRule.KindContradictsStageOrder ? pipeline.ClassifyMove(stage, to) : (TransitionKind?)null;
            throw Broken(t, broken, Problem(broken, t, status, KeyOf(pipeline, stage), expected), paramName);
        }

        nextStage = kind == TransitionKind.Lost ? stage : to;
        return next;
    }

    /// <summary>The exception for an event whose sequence is not the expected one.</summary>
    public static FunnelHistoryException SequenceBroken(ClientEvent e, long expected, string? paramName) =>
        Broken(e, FunnelRule.SequenceNotNext, $"has sequence {e.Sequence} where {expected} was expected ({(e.Sequence < expected ? "a duplicate" : "a gap")})", paramName);

    /// <summary>The exception for an event earlier than the client's previous event, or, when it is the first, than the client's creation.</summary>
    /// <param name="e">The event.</param>
    /// <param name="first">Whether it is the client's first event, so <paramref name="notBefore"/> is the creation.</param>
    /// <param name="notBefore">The previous event's instant, or the creation's.</param>
    /// <param name="paramName">The parameter that held the event.</param>
    /// <returns>The exception.</returns>
    public static FunnelHistoryException InstantBroken(ClientEvent e, bool first, DateTimeOffset notBefore, string? paramName) => first
        ? Broken(e, FunnelRule.EventBeforeClientCreated, $"occurred at {e.OccurredAt:O}, before the client's creation at {notBefore:O}", paramName)
        : Broken(e, FunnelRule.EventBeforePreviousEvent, $"occurred at {e.OccurredAt:O}, before the client's previous event at {notBefore:O}", paramName);

    /// <summary>The exception for a reassignment that does not start from the client's owner.</summary>
    public static FunnelHistoryException OwnerBroken(OwnerReassignment r, OwnerId owner, string? paramName) =>
        Broken(r, FunnelRule.ReassignmentFromOtherOwner, $"hands the client over from '{r.PreviousOwner}' to '{r.Owner}', but its owner is '{owner}'", paramName);

    /// <summary>
    /// The exception for a transition that the client's status does not allow or that starts from another stage, found
    /// without the pipeline (by <see cref="ClientState.Apply"/>).
    /// </summary>
    public static FunnelHistoryException TransitionBroken(StageTransition t, FunnelRule broken, ClientStatus status, StageId? current, string? paramName) =>
        Broken(t, broken, Problem(broken, t, status, current, null), paramName);

    /// <summary>A broken history's exception, with the one message shape: client, event id, sequence, instant, problem, rule.</summary>
    private static FunnelHistoryException Broken(ClientEvent e, FunnelRule rule, string problem, string? paramName) =>
        new(rule, e.ClientId, e.Id, e.Sequence, e.OccurredAt, $"The history of client '{e.ClientId}' is broken: event '{e.Id}' (#{e.Sequence}, {e.OccurredAt:O}) {problem} (rule {rule}).", paramName);

    private static StageId? KeyOf(PipelineDefinition pipeline, int stage) => stage >= 0 ? pipeline.Stages[stage].Key : null;

    /// <summary>The rules that need the stage order, for a transition the status allows from the client's current stage.</summary>
    private static bool StageRules(PipelineDefinition pipeline, int stage, TransitionKind kind, int to, out FunnelRule broken)
    {
        switch (kind)
        {
            case TransitionKind.Entered when to == pipeline.WonStageIndex:
                return Refuse(FunnelRule.EntryIntoWonStage, out broken);
            case TransitionKind.Reopened when to == pipeline.WonStageIndex:
                return Refuse(FunnelRule.ReopenIntoWonStage, out broken);
            case TransitionKind.Advanced or TransitionKind.Skipped or TransitionKind.Regressed or TransitionKind.Won when to == stage:
                return Refuse(FunnelRule.SameStage, out broken);
            case TransitionKind.Advanced or TransitionKind.Skipped or TransitionKind.Regressed or TransitionKind.Won when pipeline.ClassifyMove(stage, to) != kind:
                return Refuse(FunnelRule.KindContradictsStageOrder, out broken);
            default:
                broken = default;
                return true;
        }
    }

    /// <summary>Sets the rule broken and answers "not allowed".</summary>
    private static bool Refuse(FunnelRule rule, out FunnelRule broken)
    {
        broken = rule;
        return false;
    }

    private static string Problem(FunnelRule rule, StageTransition t, ClientStatus status, StageId? current, TransitionKind? expected)
    {
        var at = current is { } s ? $"at '{s}'" : "at no stage";
        return rule switch
        {
            FunnelRule.ClientNotEntered => $"is {t.Kind} from '{t.FromStage}', but the client has not entered the pipeline yet",
            FunnelRule.AlreadyEntered => $"is an entry into '{t.ToStage}', but the client already entered (it is {status} {at})",
            FunnelRule.ClientClosed => $"is {t.Kind} from '{t.FromStage}'{(t.ToStage is { } to ? $" to '{to}'" : "")}, but the client is {status} {at}; only a reopen takes it back",
            FunnelRule.ReopenOfOpenClient => $"reopens the client into '{t.ToStage}', but it is open {at}; only won or lost clients are reopened",
            FunnelRule.FromStageMismatch => $"is {t.Kind} from stage '{t.FromStage}', but the client is {status} {at}",
            FunnelRule.EntryIntoWonStage => $"enters the client straight into the won stage '{t.ToStage}'",
            FunnelRule.ReopenIntoWonStage => $"reopens the client into the won stage '{t.ToStage}'",
            FunnelRule.SameStage => $"is {t.Kind} to '{t.ToStage}', the stage the client is already in",
            FunnelRule.KindContradictsStageOrder => $"is recorded as {t.Kind} from '{t.FromStage}' to '{t.ToStage}', but the stage order makes it {expected}",
            _ => $"is {t.Kind}, which a {status} client {at} cannot make",
        };
    }
}

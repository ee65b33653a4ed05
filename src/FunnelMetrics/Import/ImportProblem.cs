namespace FunnelMetrics.Import;

/// <summary>One reason an import stores nothing: which record, which client, which field, and why.</summary>
/// <param name="Position">The record's <see cref="ImportRecord.Position"/> (a file's row number, for instance).</param>
/// <param name="ClientId">The record's client; <see langword="null"/> when the record has none.</param>
/// <param name="Field">The part of the record at fault.</param>
/// <param name="Message">What is wrong, naming the client, the stage, the instant and the rule.</param>
/// <param name="Rule">The recording rule broken, when it is one of the recorder's rules.</param>
public sealed record ImportProblem(long Position, ClientId? ClientId, ImportField Field, string Message, FunnelRule? Rule = null)
{
    /// <summary>The problem on one line, position first.</summary>
    /// <returns>For logs and terminals.</returns>
    public override string ToString() => $"record {Position}: {Field}: {Message}";
}

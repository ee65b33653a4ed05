using System.Text.Json.Serialization;

namespace FunnelMetrics.Import;

/// <summary>One reason an import stores nothing: which record, which client, which field, and why.</summary>
public sealed class ImportProblem : IEquatable<ImportProblem>
{
    [JsonConstructor]
    internal ImportProblem(long position, ClientId? clientId, ImportField field, string message, FunnelRule? rule = null)
    {
        Position = position;
        ClientId = clientId;
        Field = field;
        Message = message;
        Rule = rule;
    }

    /// <summary>The record's <see cref="ImportRecord.Position"/> (a file's row number, for instance).</summary>
    public long Position { get; }

    /// <summary>The record's client; <see langword="null"/> when the record has none.</summary>
    public ClientId? ClientId { get; }

    /// <summary>The part of the record at fault.</summary>
    public ImportField Field { get; }

    /// <summary>What is wrong, naming the client, the stage, the instant and the rule.</summary>
    public string Message { get; }

    /// <summary>The recording rule broken, when it is one of the recorder's rules.</summary>
    public FunnelRule? Rule { get; }

    /// <summary>The problem on one line, position first.</summary>
    /// <returns>For logs and terminals.</returns>
    public override string ToString() => $"record {Position}: {Field}: {Message}";

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(ImportProblem? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Position.Equals(other.Position)
            && Nullable.Equals(ClientId, other.ClientId)
            && Field.Equals(other.Field)
            && string.Equals(Message, other.Message, StringComparison.Ordinal)
            && Nullable.Equals(Rule, other.Rule));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImportProblem);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Position, ClientId, Field, Message, Rule);
}

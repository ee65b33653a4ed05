namespace FunnelMetrics.Storage;

/// <summary>What happened to one part of a bulk write: appended whole, or refused whole with the reason. Immutable.</summary>
public sealed class StreamAppendResult
{
    private StreamAppendResult(StreamAppend append, long? newVersion, Exception? error)
    {
        Append = append ?? throw new ArgumentNullException(nameof(append));
        NewVersion = newVersion;
        Error = error;
    }

    /// <summary>The part.</summary>
    public StreamAppend Append { get; }

    /// <summary>Whether every event of the part was stored.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The stream's version after the part, when it succeeded; otherwise <see langword="null"/>.</summary>
    public long? NewVersion { get; }

    /// <summary>
    /// Why the part was refused, with nothing of it stored: a <see cref="ConcurrencyConflictException"/> (the stream
    /// is at another version), an <see cref="EventIdConflictException"/> (an id is already stored) or an
    /// <see cref="ArgumentException"/> (such as a <see cref="FunnelHistoryException"/>: the events do not follow the
    /// stream's last event); <see langword="null"/> when it succeeded.
    /// </summary>
    public Exception? Error { get; }

    /// <summary>A part stored whole.</summary>
    /// <param name="append">The part.</param>
    /// <returns>The result.</returns>
    public static StreamAppendResult Stored(StreamAppend append)
    {
        ArgumentNullException.ThrowIfNull(append);
        return new(append, append.ExpectedVersion + append.Events.Count, null);
    }

    /// <summary>A part refused whole.</summary>
    /// <param name="append">The part.</param>
    /// <param name="error">The reason, as the single append would have thrown it.</param>
    /// <returns>The result.</returns>
    public static StreamAppendResult Refused(StreamAppend append, Exception error) =>
        new(append, null, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>The part and its outcome.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => Succeeded ? $"{Append}: stored, v{NewVersion}" : $"{Append}: refused, {Error!.Message}";
}

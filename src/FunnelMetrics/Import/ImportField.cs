namespace FunnelMetrics.Import;

/// <summary>The part of an imported record an <see cref="ImportProblem"/> is about, so a caller can name its own column.</summary>
public enum ImportField : byte
{
    /// <summary>The record as a whole (it is null, or its client's history cannot be stored).</summary>
    Record = 0,

    /// <summary><see cref="ImportRecord.ClientId"/>.</summary>
    ClientId = 1,

    /// <summary><see cref="ImportRecord.Stage"/> or <see cref="ImportRecord.Action"/>: an unknown stage, or a stage the client cannot reach from where it is.</summary>
    Stage = 2,

    /// <summary><see cref="ImportRecord.OccurredAt"/>: before the client's previous event, or in the future.</summary>
    OccurredAt = 3,

    /// <summary><see cref="ImportRecord.Owner"/>.</summary>
    Owner = 4,

    /// <summary><see cref="ImportRecord.Value"/>.</summary>
    Value = 5,

    /// <summary><see cref="ImportRecord.LostReason"/>.</summary>
    LostReason = 6,

    /// <summary><see cref="ImportRecord.Attributes"/>.</summary>
    Attributes = 7,

    /// <summary><see cref="ImportRecord.Note"/>.</summary>
    Note = 8,

    /// <summary><see cref="ImportRecord.ExpectedCloseDate"/>.</summary>
    ExpectedCloseDate = 9,
}

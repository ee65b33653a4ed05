using System.Text.Json.Serialization;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// One open stage in the forecast: where visits of it went in the history window, how long they lasted, and, treating the
/// funnel as an absorbing Markov chain, the chance that a client there is eventually won.
/// </summary>
public sealed class StageForecast : IEquatable<StageForecast>
{
    [JsonConstructor]
    internal StageForecast(
        StageId stage,
        StageBasis basis,
        int departures,
        double? nextShare,
        double? laterShare,
        double? earlierShare,
        double? wonShare,
        double? lostShare,
        DurationStats timeInStage,
        double? winProbability,
        double? lossProbability,
        double? unknownProbability,
        double? expectedDaysToClose,
        int clientsInWork,
        double? expectedWins)
    {
        Stage = stage;
        Basis = basis;
        Departures = departures;
        NextShare = nextShare;
        LaterShare = laterShare;
        EarlierShare = earlierShare;
        WonShare = wonShare;
        LostShare = lostShare;
        TimeInStage = timeInStage;
        WinProbability = winProbability;
        LossProbability = lossProbability;
        UnknownProbability = unknownProbability;
        ExpectedDaysToClose = expectedDaysToClose;
        ClientsInWork = clientsInWork;
        ExpectedWins = expectedWins;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>What the rates rest on.</summary>
    public StageBasis Basis { get; }

    /// <summary>Visits of the stage that ended in the history window (for the clients forecast; the team's when <see cref="Basis"/> says so).</summary>
    public int Departures { get; }

    /// <summary>Of the departures, the share to the next stage.</summary>
    public double? NextShare { get; }

    /// <summary>The share to a stage two or more positions later (not the won stage).</summary>
    public double? LaterShare { get; }

    /// <summary>The share back to an earlier stage.</summary>
    public double? EarlierShare { get; }

    /// <summary>The share straight to the won stage.</summary>
    public double? WonShare { get; }

    /// <summary>The share lost from the stage.</summary>
    public double? LostShare { get; }

    /// <summary>The durations of those visits.</summary>
    public DurationStats TimeInStage { get; }

    /// <summary>The probability that a client now in the stage is eventually won, or <see langword="null"/> when the stage has no basis.</summary>
    public double? WinProbability { get; }

    /// <summary>The probability that it is eventually lost.</summary>
    public double? LossProbability { get; }

    /// <summary>The probability that its fate is unknown: it reaches a stage with no basis, or a loop of stages that no observed departure leaves. The three sum to 1.</summary>
    public double? UnknownProbability { get; }

    /// <summary>The expected days until won, lost or unknown, from the stage's mean visit lengths; <see langword="null"/> when not computable.</summary>
    public double? ExpectedDaysToClose { get; }

    /// <summary>Clients forecast that are in the stage now.</summary>
    public int ClientsInWork { get; }

    /// <summary><c>ClientsInWork x WinProbability</c>.</summary>
    public double? ExpectedWins { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageForecast? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Basis.Equals(other.Basis)
            && Departures.Equals(other.Departures)
            && Nullable.Equals(NextShare, other.NextShare)
            && Nullable.Equals(LaterShare, other.LaterShare)
            && Nullable.Equals(EarlierShare, other.EarlierShare)
            && Nullable.Equals(WonShare, other.WonShare)
            && Nullable.Equals(LostShare, other.LostShare)
            && Equals(TimeInStage, other.TimeInStage)
            && Nullable.Equals(WinProbability, other.WinProbability)
            && Nullable.Equals(LossProbability, other.LossProbability)
            && Nullable.Equals(UnknownProbability, other.UnknownProbability)
            && Nullable.Equals(ExpectedDaysToClose, other.ExpectedDaysToClose)
            && ClientsInWork.Equals(other.ClientsInWork)
            && Nullable.Equals(ExpectedWins, other.ExpectedWins));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageForecast);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Stage);
        hash.Add(Basis);
        hash.Add(Departures);
        hash.Add(NextShare);
        hash.Add(LaterShare);
        hash.Add(EarlierShare);
        hash.Add(WonShare);
        hash.Add(LostShare);
        hash.Add(TimeInStage);
        hash.Add(WinProbability);
        hash.Add(LossProbability);
        hash.Add(UnknownProbability);
        hash.Add(ExpectedDaysToClose);
        hash.Add(ClientsInWork);
        hash.Add(ExpectedWins);
        return hash.ToHashCode();
    }
}

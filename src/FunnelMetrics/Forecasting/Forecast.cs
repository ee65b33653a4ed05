using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// What the team's work is likely to produce: per stage, where clients go and the chance of winning them; expected wins
/// and won value from the clients in work; optionally wins by a horizon with a P10–P90 range and the intake a target needs.
/// </summary>
public sealed class Forecast : IEquatable<Forecast>
{
    [JsonConstructor]
    internal Forecast(
        PipelineId pipelineId,
        DateTimeOffset asOf,
        DateTimeOffset historyFrom,
        bool hasBasis,
        string? reason,
        IReadOnlyList<StageForecast> stages,
        int openClients,
        int clientsWithoutBasis,
        double? expectedWins,
        decimal? expectedValue,
        HorizonForecast? horizon,
        IntakeForTarget? target,
        IReadOnlyList<OwnerForecast> byOwner,
        IReadOnlyList<ForecastLimitation>? limitations = null)
    {
        PipelineId = pipelineId;
        AsOf = asOf;
        HistoryFrom = historyFrom;
        HasBasis = hasBasis;
        Reason = reason;
        Stages = stages;
        OpenClients = openClients;
        ClientsWithoutBasis = clientsWithoutBasis;
        ExpectedWins = expectedWins;
        ExpectedValue = expectedValue;
        Horizon = horizon;
        Target = target;
        ByOwner = byOwner;
        Limitations = limitations ?? [];
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The instant, inclusive: the clients in work are those open at it, the history ends at it.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>The history window's start, inclusive.</summary>
    public DateTimeOffset HistoryFrom { get; }

    /// <summary>Whether any stage has a basis; when not, the expected figures, horizon, target and owner forecasts are absent and <see cref="Reason"/> says why.</summary>
    public bool HasBasis { get; }

    /// <summary>
    /// Why there is no basis, or what limits the forecast (sparse stages, clients without basis or with a partly unknown
    /// fate, no timing for a horizon), in prose: the <see cref="ForecastLimitation.Message"/>s of the
    /// <see cref="Limitations"/> of the forecast itself (those without an <see cref="ForecastLimitation.Owner"/>), joined
    /// with spaces in that order; <see langword="null"/> when nothing limits it.
    /// </summary>
    public string? Reason { get; }

    /// <summary>
    /// What limits the forecast, as data: first the forecast's own limitations (the sentences of <see cref="Reason"/>, in
    /// its order), then those of each owner's forecast in <see cref="ByOwner"/> order, each with its
    /// <see cref="ForecastLimitation.Owner"/>. Empty when nothing limits any of them.
    /// </summary>
    public IReadOnlyList<ForecastLimitation> Limitations { get; }

    /// <summary>Per open stage, in pipeline order.</summary>
    public IReadOnlyList<StageForecast> Stages { get; }

    /// <summary>The clients in work forecast.</summary>
    public int OpenClients { get; }

    /// <summary>Of them, those in a stage with no basis: they count in no expected figure.</summary>
    public int ClientsWithoutBasis { get; }

    /// <summary>Sum over the clients in work of the probability of being won; between 0 and <see cref="OpenClients"/>; <see langword="null"/> when every client in work is without basis.</summary>
    public double? ExpectedWins { get; }

    /// <summary>Sum over the clients in work with a value of value (as of the forecast's instant, after the client's updates up to it) x probability of being won.</summary>
    public decimal? ExpectedValue { get; }

    /// <summary>Wins by the horizon, when one was asked for.</summary>
    public HorizonForecast? Horizon { get; }

    /// <summary>The intake needed for a target, when one was asked for.</summary>
    public IntakeForTarget? Target { get; }

    /// <summary>The same per owner of clients in work, ordered by owner id.</summary>
    public IReadOnlyList<OwnerForecast> ByOwner { get; }

    /// <summary>
    /// The chain's win probability per open stage, from <see cref="Stages"/> (those without basis left out): the input of
    /// <see cref="Metrics.PipelineValueCalculator"/>'s chain-weighted pipeline, so a caller holding a forecast does not build the chain twice.
    /// </summary>
    /// <returns>A new dictionary, by stage.</returns>
    public IReadOnlyDictionary<StageId, double> WinProbabilities()
    {
        var result = new Dictionary<StageId, double>(Stages.Count);
        foreach (var stage in Stages)
        {
            if (stage.WinProbability is { } p)
            {
                result.Add(stage.Stage, p);
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(Forecast? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && AsOf.Equals(other.AsOf)
            && HistoryFrom.Equals(other.HistoryFrom)
            && HasBasis.Equals(other.HasBasis)
            && string.Equals(Reason, other.Reason, StringComparison.Ordinal)
            && ValueEquality.Sequence(Stages, other.Stages)
            && OpenClients.Equals(other.OpenClients)
            && ClientsWithoutBasis.Equals(other.ClientsWithoutBasis)
            && Nullable.Equals(ExpectedWins, other.ExpectedWins)
            && Nullable.Equals(ExpectedValue, other.ExpectedValue)
            && Equals(Horizon, other.Horizon)
            && Equals(Target, other.Target)
            && ValueEquality.Sequence(ByOwner, other.ByOwner)
            && ValueEquality.Sequence(Limitations, other.Limitations));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Forecast);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(PipelineId);
        hash.Add(AsOf);
        hash.Add(HistoryFrom);
        hash.Add(HasBasis);
        hash.Add(Reason);
        hash.Add(Stages.Count);
        hash.Add(OpenClients);
        hash.Add(ClientsWithoutBasis);
        hash.Add(ExpectedWins);
        hash.Add(ExpectedValue);
        hash.Add(Horizon);
        hash.Add(Target);
        hash.Add(ByOwner.Count);
        hash.Add(Limitations.Count);
        return hash.ToHashCode();
    }
}

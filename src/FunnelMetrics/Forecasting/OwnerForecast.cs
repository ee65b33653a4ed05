using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>One owner's forecast: the owner's clients in work, with the owner's own rates where they have enough history and the team's where not.</summary>
public sealed class OwnerForecast : IEquatable<OwnerForecast>
{
    [JsonConstructor]
    internal OwnerForecast(
        OwnerId owner,
        IReadOnlyList<StageForecast> stages,
        int openClients,
        int clientsWithoutBasis,
        double? expectedWins,
        decimal? expectedValue,
        HorizonForecast? horizon)
    {
        Owner = owner;
        Stages = stages;
        OpenClients = openClients;
        ClientsWithoutBasis = clientsWithoutBasis;
        ExpectedWins = expectedWins;
        ExpectedValue = expectedValue;
        Horizon = horizon;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>Per open stage, with the basis used for this owner.</summary>
    public IReadOnlyList<StageForecast> Stages { get; }

    /// <summary>The owner's clients in work.</summary>
    public int OpenClients { get; }

    /// <summary>Of them, those in a stage with no basis.</summary>
    public int ClientsWithoutBasis { get; }

    /// <summary>Sum over them of the probability of being won; <see langword="null"/> when every one is without basis.</summary>
    public double? ExpectedWins { get; }

    /// <summary>Sum over those with a value of value x probability of being won; <see langword="null"/> likewise.</summary>
    public decimal? ExpectedValue { get; }

    /// <summary>Wins by the horizon, when one was asked for and timing is known.</summary>
    public HorizonForecast? Horizon { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerForecast? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Stages, other.Stages)
            && OpenClients.Equals(other.OpenClients)
            && ClientsWithoutBasis.Equals(other.ClientsWithoutBasis)
            && Nullable.Equals(ExpectedWins, other.ExpectedWins)
            && Nullable.Equals(ExpectedValue, other.ExpectedValue)
            && Equals(Horizon, other.Horizon));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerForecast);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Stages.Count, OpenClients, ClientsWithoutBasis, ExpectedWins, ExpectedValue, Horizon);
}

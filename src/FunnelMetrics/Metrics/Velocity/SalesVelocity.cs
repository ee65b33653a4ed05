using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The sales velocity formula: open clients x average won value x win rate / average cycle time in days, the value the
/// pipeline produces per day at its current size and pace; and the count-only variant (clients won per day) for
/// pipelines without values. A figure is <see langword="null"/> when one of its inputs is.
/// </summary>
public sealed class SalesVelocity : IEquatable<SalesVelocity>
{
    [JsonConstructor]
    internal SalesVelocity(
        int openClients,
        decimal? averageWonValue,
        double? winRate,
        double? averageCycleDays,
        decimal? valuePerDay,
        double? clientsPerDay)
    {
        OpenClients = openClients;
        AverageWonValue = averageWonValue;
        WinRate = winRate;
        AverageCycleDays = averageCycleDays;
        ValuePerDay = valuePerDay;
        ClientsPerDay = clientsPerDay;
    }

    /// <summary>Clients in open stages at the end of the window.</summary>
    public int OpenClients { get; }

    /// <summary>The mean value of the clients won in the window (the same clients as <see cref="Velocity.CycleTime"/>) that have a value; <see langword="null"/> when none has.</summary>
    public decimal? AverageWonValue { get; }

    /// <summary>Won / (won + lost) among clients closed in the window.</summary>
    public double? WinRate { get; }

    /// <summary>The mean cycle time of the wins in the window, in days.</summary>
    public double? AverageCycleDays { get; }

    /// <summary><c>OpenClients x AverageWonValue x WinRate / AverageCycleDays</c>; null when an input is, or when the product is beyond <see cref="decimal"/>'s range.</summary>
    public decimal? ValuePerDay { get; }

    /// <summary><c>OpenClients x WinRate / AverageCycleDays</c>.</summary>
    public double? ClientsPerDay { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(SalesVelocity? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && OpenClients.Equals(other.OpenClients)
            && Nullable.Equals(AverageWonValue, other.AverageWonValue)
            && Nullable.Equals(WinRate, other.WinRate)
            && Nullable.Equals(AverageCycleDays, other.AverageCycleDays)
            && Nullable.Equals(ValuePerDay, other.ValuePerDay)
            && Nullable.Equals(ClientsPerDay, other.ClientsPerDay));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SalesVelocity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(OpenClients, AverageWonValue, WinRate, AverageCycleDays, ValuePerDay, ClientsPerDay);
}

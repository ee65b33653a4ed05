using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>The win rate among the clients closed in a window: won / (won + lost).</summary>
public sealed class WinRate : IEquatable<WinRate>
{
    [JsonConstructor]
    internal WinRate(int won, int lost, double? rate)
    {
        Won = won;
        Lost = lost;
        Rate = rate;
    }

    /// <summary>Clients whose closing event (their last win or loss as of the instant) is a win inside the window.</summary>
    public int Won { get; }

    /// <summary>Clients whose closing event is a loss inside the window.</summary>
    public int Lost { get; }

    /// <summary><c>Won / (Won + Lost)</c>, or <see langword="null"/> when nobody closed in the window.</summary>
    public double? Rate { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(WinRate? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Won.Equals(other.Won)
            && Lost.Equals(other.Lost)
            && Nullable.Equals(Rate, other.Rate));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WinRate);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Won, Lost, Rate);
}

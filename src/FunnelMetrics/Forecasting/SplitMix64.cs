namespace FunnelMetrics.Forecasting;

/// <summary>
/// A small, fast, fully specified pseudo-random generator (SplitMix64), so simulations give the same answer for the same
/// seed on every runtime and platform. Each simulated client gets its own stream, derived from (seed, run, client).
/// </summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    public static SplitMix64 For(int seed, int run, long stream)
    {
        var mixed = new SplitMix64(((ulong)(uint)seed << 32) ^ (uint)run);
        var key = mixed.NextUInt64() ^ ((ulong)stream * 0x9E3779B97F4A7C15UL);
        return new SplitMix64(key);
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, count).</summary>
    public int Next(int count) => (int)(NextDouble() * count);
}

namespace FunnelMetrics.Forecasting;

/// <summary>Solves A X = B in place by Gaussian elimination with partial pivoting; the funnel's systems are a few stages across.</summary>
internal static class LinearSolver
{
    /// <summary>Overwrites <paramref name="b"/> with X. <paramref name="a"/> must be nonsingular; it is destroyed.</summary>
    public static void Solve(double[,] a, double[,] b)
    {
        var n = a.GetLength(0);
        var columns = b.GetLength(1);
        for (var k = 0; k < n; k++)
        {
            var pivot = k;
            for (var i = k + 1; i < n; i++)
            {
                if (Math.Abs(a[i, k]) > Math.Abs(a[pivot, k]))
                {
                    pivot = i;
                }
            }

            if (Math.Abs(a[pivot, k]) < 1e-15)
            {
                throw new InvalidOperationException("The absorbing chain's system is singular: a stage cannot reach any outcome.");
            }

            if (pivot != k)
            {
                for (var j = 0; j < n; j++)
                {
                    (a[k, j], a[pivot, j]) = (a[pivot, j], a[k, j]);
                }

                for (var j = 0; j < columns; j++)
                {
                    (b[k, j], b[pivot, j]) = (b[pivot, j], b[k, j]);
                }
            }

            for (var i = k + 1; i < n; i++)
            {
                var f = a[i, k] / a[k, k];
                if (f == 0)
                {
                    continue;
                }

                for (var j = k; j < n; j++)
                {
                    a[i, j] -= f * a[k, j];
                }

                for (var j = 0; j < columns; j++)
                {
                    b[i, j] -= f * b[k, j];
                }
            }
        }

        for (var k = n - 1; k >= 0; k--)
        {
            for (var j = 0; j < columns; j++)
            {
                var sum = b[k, j];
                for (var i = k + 1; i < n; i++)
                {
                    sum -= a[k, i] * b[i, j];
                }

                b[k, j] = sum / a[k, k];
            }
        }
    }
}

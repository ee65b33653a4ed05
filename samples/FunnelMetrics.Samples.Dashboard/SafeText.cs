using System.Text.RegularExpressions;
using Spectre.Console;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>
/// Text from a history (ids, names, notes) made safe to print: control characters (ESC sequences among them),
/// bidirectional formatting characters and lone surrogates are shown as <c>\uXXXX</c> instead of acting on the terminal.
/// </summary>
internal static partial class SafeText
{
    /// <summary>The text with every character a terminal would act on written as <c>\uXXXX</c>.</summary>
    public static string Printable(string text) =>
        Unprintable().Replace(text, m => $"\\u{(int)m.Value[0]:X4}");

    /// <summary>The text made printable and escaped for Spectre.Console markup.</summary>
    public static string Markup(string text) => Spectre.Console.Markup.Escape(Printable(text));

    /// <summary>The text made printable and cut to at most <paramref name="max"/> characters, with "..." when cut.</summary>
    public static string Shortened(string text, int max) => Printable(text.Length <= max ? text : text[..max] + "...");

    /// <summary>
    /// A list for a message, capped so its length does not grow with the pipeline: all of the names when there are at
    /// most <paramref name="max"/>, else the first ones and how many there are ("a, b, c, ... (10,000 in all)").
    /// </summary>
    public static string Some(IReadOnlyCollection<string> names, int max = 10) =>
        names.Count <= max
            ? string.Join(", ", names.Select(Printable))
            : $"{string.Join(", ", names.Take(max).Select(Printable))}, ... ({names.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} in all)";

    [GeneratedRegex(@"[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]")]
    private static partial Regex Unprintable();
}

using System.Globalization;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using Spectre.Console;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>Prints the dashboard to the terminal with Spectre.Console: bar charts and tables, one section per question.</summary>
internal static class DashboardConsole
{
    /// <summary>Writes the whole dashboard.</summary>
    /// <param name="console">Where to write.</param>
    /// <param name="report">The dashboard.</param>
    public static void Write(IAnsiConsole console, FunnelDashboard report)
    {
        var owners = report.Filter?.Owners;
        console.Write(new Rule($"[bold]{SafeText.Markup(report.Pipeline.Name)}[/] on {report.Day:yyyy-MM-dd} ({SafeText.Markup(report.TimeZone)}){(owners is [var o] ? $", manager {SafeText.Markup(o.Value)}" : "")}").LeftJustified());
        WriteFunnel(console, report);
        WriteMoney(console, report);
        WriteToday(console, report);
        WriteWaterfall(console, report);
        WriteSpeed(console, report);
        WriteTrends(console, report);
        WriteStuck(console, report);
        WriteSlipped(console, report);
        WriteForecast(console, report);
    }

    private static string Name(PipelineDefinition pipeline, StageId stage) => SafeText.Markup(pipeline.GetStage(stage).DisplayName);

    private static void WriteFunnel(IAnsiConsole console, FunnelDashboard report)
    {
        var funnel = report.Funnel;
        console.Write(new Rule("1. The funnel: clients in work per stage").LeftJustified());
        var chart = new BarChart().Width(72);
        var colors = new[] { Color.SteelBlue1, Color.DeepSkyBlue3, Color.DodgerBlue2, Color.Blue1, Color.MediumPurple, Color.Purple, Color.Green };
        for (var s = 0; s < funnel.Stages.Count; s++)
        {
            if (s == report.Pipeline.WonStageIndex)
            {
                continue;
            }

            chart.AddItem(Name(report.Pipeline, funnel.Stages[s].Stage), funnel.Stages[s].Clients, colors[s % colors.Length]);
        }

        console.Write(chart);
        console.MarkupLine($"In work [bold]{funnel.InWork}[/], won [green]{funnel.Won}[/], lost [red]{funnel.Lost}[/] of {funnel.Entered} entered.");

        // One column per manager, one row per stage: a team of any size fits a terminal's width.
        var table = new Table().Border(TableBorder.Rounded).Title("Clients in work per manager").AddColumn("Stage");
        foreach (var owner in funnel.ByOwner)
        {
            table.AddColumn(new TableColumn(SafeText.Markup(owner.Owner.Value)).RightAligned());
        }

        for (var s = 0; s < funnel.Stages.Count; s++)
        {
            if (s != report.Pipeline.WonStageIndex)
            {
                table.AddRow([Name(report.Pipeline, funnel.Stages[s].Stage), .. funnel.ByOwner.Select(o => Number(o.Stages[s].Clients))]);
            }
        }

        table.AddRow(["[bold]In work[/]", .. funnel.ByOwner.Select(o => $"[bold]{o.InWork}[/]")]);
        table.AddRow(["Won", .. funnel.ByOwner.Select(o => $"[green]{o.Won}[/]")]);
        table.AddRow(["Lost", .. funnel.ByOwner.Select(o => $"[red]{o.Lost}[/]")]);
        console.Write(table);
    }

    private static void WriteMoney(IAnsiConsole console, FunnelDashboard report)
    {
        var value = report.Value;
        var currency = value.CurrencyCode is { } code ? $" ({SafeText.Markup(code)})" : "";
        console.Write(new Rule($"2. Money per stage{currency}").LeftJustified());
        var table = new Table().Border(TableBorder.Rounded)
            .Caption("Open clients as of now and the sum of their deal values. Weighted: value x the stage's configured win probability, and x the forecast chain's probability of winning from the stage. No value: clients without a deal value, not counted as zero.")
            .AddColumn("Stage")
            .AddColumn(new TableColumn("Clients").RightAligned())
            .AddColumn(new TableColumn("Value").RightAligned())
            .AddColumn(new TableColumn("No value").RightAligned())
            .AddColumn(new TableColumn("Weighted (stage)").RightAligned())
            .AddColumn(new TableColumn("Chain win").RightAligned())
            .AddColumn(new TableColumn("Weighted (chain)").RightAligned());
        foreach (var stage in value.Stages)
        {
            if (stage.Stage == report.Pipeline.WonStage)
            {
                continue;
            }

            table.AddRow(
                Name(report.Pipeline, stage.Stage),
                Number(stage.Clients),
                Money(stage.Value),
                Number(stage.Missing),
                Money(stage.WeightedByStageProbability),
                Share(stage.ChainWinProbability),
                Money(stage.WeightedByChain));
        }

        var open = value.Open;
        table.AddRow("[bold]Open pipeline[/]", $"[bold]{open.Clients}[/]", $"[bold]{Money(open.Value)}[/]", Number(open.Missing), Money(open.WeightedByStageProbability), "", $"[bold]{Money(open.WeightedByChain)}[/]");
        console.Write(table);
        console.MarkupLine($"Won so far: {value.Won.Clients} clients worth [green]{Money(value.Won.Value)}[/]; lost: {value.Lost.Clients} worth [red]{Money(value.Lost.Value)}[/].");
    }

    private static void WriteWaterfall(IAnsiConsole console, FunnelDashboard report)
    {
        var waterfall = report.Waterfall;
        var total = waterfall.Total;
        console.Write(new Rule($"4. The month's waterfall, {waterfall.FirstDay:yyyy-MM-dd} to {waterfall.LastDay:yyyy-MM-dd}: how the open pipeline changed").LeftJustified());
        var table = new Table().Border(TableBorder.Rounded)
            .Caption("Each client compared at the two instants: where it was at the start and where it is now. The lines add up exactly to the pipeline open now, by count and by value (values at the start for what left, at the end for what came in; the change of value of the clients open at both ends on its own lines).")
            .AddColumn("")
            .AddColumn(new TableColumn("Clients").RightAligned())
            .AddColumn(new TableColumn("Value").RightAligned());
        void Line(string label, WaterfallLine line, int sign)
        {
            var prefix = sign > 0 ? "+" : sign < 0 ? "-" : "";
            table.AddRow(label, line.Clients == 0 || sign == 0 ? Number(line.Clients) : prefix + Number(line.Clients), line.Value == 0 || sign == 0 ? Money(line.Value) : prefix + Money(line.Value));
        }

        Line("[bold]Open at the start[/]", total.OpenAtStart, 0);
        Line("New", total.New, 1);
        Line("Reopened", total.Reopened, 1);
        Line("Won", total.Won, -1);
        Line("Lost", total.Lost, -1);
        Line("Value increased", total.ValueIncreased, 1);
        Line("Value decreased", total.ValueDecreased, -1);
        Line("Value became known", total.ValueBecameKnown, 1);
        Line("Value became unknown", total.ValueBecameUnknown, -1);
        Line("[bold]Open now[/]", total.OpenAtEnd, 0);
        console.Write(table);
        console.MarkupLine($"Entered and closed within the period: {waterfall.EnteredAndWon.Clients} won ({Money(waterfall.EnteredAndWon.Value)}), {waterfall.EnteredAndLost.Clients} lost. Expected close date pushed past the period: {total.CloseDatePushedOut.Clients} ({Money(total.CloseDatePushedOut.Value)}); pulled into it: {total.CloseDatePulledIn.Clients}.");

        var stages = new Table().Border(TableBorder.Rounded).Title("Per stage: open at the start, in, out, open now").AddColumn("Stage");
        foreach (var column in new[] { "Start", "New", "Reopened", "Moved in", "Moved out", "Won", "Lost", "Now" })
        {
            stages.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var stage in waterfall.Stages)
        {
            stages.AddRow(
                stage.Stage is { } key ? Name(report.Pipeline, key) : "",
                Number(stage.OpenAtStart.Clients),
                Number(stage.New.Clients),
                Number(stage.Reopened.Clients),
                Number(stage.MovedInTotal.Clients),
                Number(stage.MovedOutTotal.Clients),
                Number(stage.Won.Clients),
                Number(stage.Lost.Clients),
                Number(stage.OpenAtEnd.Clients));
        }

        console.Write(stages);
    }

    private static void WriteTrends(IAnsiConsole console, FunnelDashboard report)
    {
        var trends = report.Trends;
        var stages = report.Pipeline.Stages.Where(s => s.Key != report.Pipeline.WonStage).ToList();
        console.Write(new Rule($"6. Trends per {trends.Period.ToString().ToLowerInvariant()} of entry: is the team getting faster?").LeftJustified());
        var numbers = string.Join(", ", stages.Select((stage, i) => $"{i + 1} {SafeText.Markup(stage.DisplayName)}"));
        var table = new Table().Border(TableBorder.Rounded)
            .Caption($"Per period in which clients entered each stage ({numbers}): the censoring-aware median days in the stage of the visits begun then, and the drop-off (the share of that cohort lost before passing the stage), as of now. The last period is still running.")
            .AddColumn(trends.Period.ToString())
            .AddColumn(new TableColumn($"Median days, stages 1-{stages.Count}").RightAligned())
            .AddColumn(new TableColumn($"Drop-off, stages 1-{stages.Count}").RightAligned())
            .AddColumn(new TableColumn("Won from first").RightAligned());
        foreach (var period in trends.Periods)
        {
            var byStage = period.Stages.ToDictionary(s => s.Stage);
            StageTrend? Of(StageDefinition stage) => byStage.GetValueOrDefault(stage.Key);
            table.AddRow(
                SafeText.Markup(period.Key),
                string.Join(" ", stages.Select(s => (Of(s) is { } t ? Days(t.Median) : "-").PadLeft(5))),
                string.Join(" ", stages.Select(s => (Of(s) is { } t ? Share(t.DropOff) : "-").PadLeft(4))),
                Share(period.WonFromFirstStageShare));
        }

        console.Write(table);

        var dropOffs = new Table().Border(TableBorder.Rounded)
            .Title($"Drop-off between consecutive stages, cohorts of the last {(report.SpeedWindow.End - report.SpeedWindow.Start).TotalDays:0} days")
            .AddColumn("From")
            .AddColumn("To")
            .AddColumn(new TableColumn("Cohort").RightAligned())
            .AddColumn(new TableColumn("Passed").RightAligned())
            .AddColumn(new TableColumn("Dropped").RightAligned())
            .AddColumn(new TableColumn("Still open").RightAligned())
            .AddColumn(new TableColumn("Drop-off").RightAligned())
            .AddColumn(new TableColumn("By value").RightAligned());
        foreach (var drop in report.Conversion.DropOffs)
        {
            dropOffs.AddRow(
                Name(report.Pipeline, drop.Stage),
                Name(report.Pipeline, drop.NextStage),
                Number(drop.Cohort),
                Number(drop.Passed),
                Number(drop.Dropped),
                Number(drop.StillOpen),
                Share(drop.Share),
                Share(drop.ValueShare));
        }

        console.Write(dropOffs);
    }

    private static void WriteSlipped(IAnsiConsole console, FunnelDashboard report)
    {
        var slipped = report.Slipped;
        var summary = $"{slipped.Slipped} open clients past their expected close date (worth {Money(slipped.SlippedValue)}); {slipped.NoCloseDate} of {slipped.Open} have no date";
        if (slipped.Clients.Count == 0)
        {
            console.MarkupLine(summary + ".");
            return;
        }

        var clients = new Table().Border(TableBorder.Rounded)
            .Title($"{summary}; the {slipped.Clients.Count} most overdue")
            .AddColumn("Client")
            .AddColumn("Owner")
            .AddColumn("Stage")
            .AddColumn("Expected close")
            .AddColumn(new TableColumn("Days overdue").RightAligned())
            .AddColumn(new TableColumn("Value").RightAligned());
        foreach (var client in slipped.Clients)
        {
            clients.AddRow(
                SafeText.Markup(client.ClientId.Value),
                SafeText.Markup(client.Owner.Value),
                Name(report.Pipeline, client.Stage),
                client.ExpectedCloseDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Number(client.DaysOverdue),
                Money(client.Value));
        }

        console.Write(clients);
    }

    private static void WriteToday(IAnsiConsole console, FunnelDashboard report)
    {
        console.Write(new Rule($"3. Today, against the average of the previous {report.Today[0].AveragePerWorkingDay.Days} working days").LeftJustified());
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Manager");
        foreach (var column in new[] { "New", "Moves forward", "Regressions", "Wins", "Losses" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var day in report.Today)
        {
            table.AddRow(
                day.Owner is { } owner ? SafeText.Markup(owner.Value) : "[bold]team[/]",
                Versus(day.Today.New, day.AveragePerWorkingDay.New),
                Versus(day.Today.ForwardMoves, day.AveragePerWorkingDay.ForwardMoves),
                Versus(day.Today.Regressions, day.AveragePerWorkingDay.Regressions, lowerIsBetter: true),
                Versus(day.Today.Wins, day.AveragePerWorkingDay.Wins),
                Versus(day.Today.Losses, day.AveragePerWorkingDay.Losses, lowerIsBetter: true));
        }

        console.Write(table);

        var moves = new Table().Border(TableBorder.Rounded).Title("Clients entering each stage today (average)").AddColumn("Stage");
        foreach (var day in report.Today)
        {
            moves.AddColumn(new TableColumn(day.Owner is { } owner ? SafeText.Markup(owner.Value) : "[bold]team[/]").RightAligned());
        }

        for (var s = 0; s < report.Pipeline.Stages.Count; s++)
        {
            moves.AddRow([Name(report.Pipeline, report.Pipeline.Stages[s].Key), .. report.Today.Select(d => Versus(d.Stages[s].Entered, d.Stages[s].AveragePerWorkingDay))]);
        }

        console.Write(moves);
    }

    private static void WriteSpeed(IAnsiConsole console, FunnelDashboard report)
    {
        console.Write(new Rule($"5. Speed over the last {(report.SpeedWindow.End - report.SpeedWindow.Start).TotalDays:0} days").LeftJustified());
        var table = new Table().Border(TableBorder.Rounded)
            .Caption("Days in stage: censoring-aware median and p90 of visits in the window (>x: not reached yet). Conversion: of the clients who entered the stage in the window, the share that moved on, was lost, or is still there.")
            .AddColumn("Stage")
            .AddColumn(new TableColumn("Median").RightAligned())
            .AddColumn(new TableColumn("p90").RightAligned())
            .AddColumn(new TableColumn("Visits").RightAligned())
            .AddColumn(new TableColumn("Moved on").RightAligned())
            .AddColumn(new TableColumn("Lost").RightAligned())
            .AddColumn(new TableColumn("Still").RightAligned())
            .AddColumn(new TableColumn("Out/day").RightAligned());
        for (var s = 0; s < report.TimeInStage.Stages.Count; s++)
        {
            var time = report.TimeInStage.Stages[s];
            if (time.Stage == report.Pipeline.WonStage)
            {
                continue;
            }

            var conversion = report.Conversion.Stages[s];
            var velocity = report.Velocity.Stages[s];
            table.AddRow(
                Name(report.Pipeline, time.Stage),
                Days(time.Median),
                Days(time.P90),
                Number(time.Completed.Count + time.OpenVisits),
                Share(conversion.AdvancedShare),
                Share(conversion.LostShare),
                Share(conversion.RemainingShare),
                velocity.PerDay.ToString("0.0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var cycle = report.Velocity.CycleTime;
        var winRate = report.Conversion.WinRate;
        console.MarkupLine($"Cycle time of the {cycle.Count} clients won: median [bold]{Days(cycle.Median)}[/] days, p90 {Days(cycle.P90)}. Win rate {Share(winRate.Rate)} ({winRate.Won} won, {winRate.Lost} lost).");
    }

    private static void WriteStuck(IAnsiConsole console, FunnelDashboard report)
    {
        console.Write(new Rule($"7. Stuck: stages ranked over the last {report.StuckStages.Period.TotalDays:0} days, and the most overdue clients").LeftJustified());
        var stages = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("Stage")
            .AddColumn(new TableColumn("Stalled").RightAligned())
            .AddColumn(new TableColumn("of clients").RightAligned())
            .AddColumn(new TableColumn("Median days").RightAligned())
            .AddColumn(new TableColumn("Change in stalled").RightAligned());
        foreach (var stage in report.StuckStages.Stages.Take(5))
        {
            var change = stage.Current.Stalled - stage.Previous.Stalled;
            stages.AddRow(
                stage.Rank.ToString(CultureInfo.InvariantCulture),
                Name(report.Pipeline, stage.Stage),
                Number(stage.Current.Stalled),
                Number(stage.Current.Clients),
                Days(stage.Current.Median),
                change > 0 ? $"[red]+{change}[/]" : change < 0 ? $"[green]{change}[/]" : "0");
        }

        console.Write(stages);
        var clients = new Table().Border(TableBorder.Rounded)
            .Title($"{report.Stalled.Total} stalled clients; the {report.Stalled.MostOverdue.Count} most overdue")
            .AddColumn("Client")
            .AddColumn("Owner")
            .AddColumn("Stage")
            .AddColumn(new TableColumn("Days idle").RightAligned())
            .AddColumn(new TableColumn("Threshold days").RightAligned())
            .AddColumn("Threshold from");
        foreach (var client in report.Stalled.MostOverdue)
        {
            clients.AddRow(
                SafeText.Markup(client.ClientId.Value),
                SafeText.Markup(client.Owner.Value),
                Name(report.Pipeline, client.Stage),
                client.Idle.TotalDays.ToString("0.0", CultureInfo.InvariantCulture),
                client.Threshold.TotalDays.ToString("0.0", CultureInfo.InvariantCulture),
                client.Source.ToString());
        }

        console.Write(clients);
    }

    private static void WriteForecast(IAnsiConsole console, FunnelDashboard report)
    {
        var forecast = report.Forecast;
        console.Write(new Rule("8. Forecast").LeftJustified());
        if (!forecast.HasBasis || forecast.Horizon is not { } horizon)
        {
            console.MarkupLine($"[yellow]No forecast:[/] {SafeText.Markup(forecast.Reason ?? "no basis")}");
            return;
        }

        if (forecast.Reason is { } reason)
        {
            console.MarkupLine($"[grey]{SafeText.Markup(reason)}[/]");
        }

        var currency = report.Pipeline.CurrencyCode is { } code ? " " + code : "";
        var month = report.Month;
        if (month.Closed)
        {
            console.MarkupLine($"{MonthName(month.Month)} is closed: [bold]{month.WonSoFar}[/] wins against the target of {month.TargetWins}. The forecast looks at {MonthName(month.ForecastMonth)}.");
        }

        console.MarkupLine($"Expected wins by the end of {MonthName(month.ForecastMonth)} ({horizon.End.AddTicks(-1):yyyy-MM-dd}): [bold]{horizon.ExpectedWins:0.0}[/] (P10 {horizon.P10}, P50 {horizon.P50}, P90 {horizon.P90}).");
        console.MarkupLine($"Expected value of those wins: [bold]{horizon.ExpectedValue.ToString("N0", CultureInfo.InvariantCulture)}{currency}[/]. Eventually, of the {forecast.OpenClients} clients in work: {forecast.ExpectedWins:0.0} wins worth {forecast.ExpectedValue?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"}{currency}.");
        console.MarkupLine(month.Closed
            ? $"Target for {MonthName(month.ForecastMonth)}: [bold]{month.TargetWins}[/] wins ({(month.TargetGiven ? "--target" : $"the pace of the last {report.Today[0].AveragePerWorkingDay.Days} working days")})."
            : $"Month target [bold]{month.TargetWins}[/] wins ({(month.TargetGiven ? "--target" : $"the pace of the last {report.Today[0].AveragePerWorkingDay.Days} working days")}); won so far {month.WonSoFar}.");
        if (forecast.Target is { TargetWins: > 0 } target)
        {
            var shortfall = target.TargetWins - target.ExpectedWinsFromPipeline;
            if (shortfall <= 0)
            {
                console.MarkupLine($"Still missing {target.TargetWins} wins; the clients in work should bring [green]{target.ExpectedWinsFromPipeline:0.0}[/]: no new intake is needed for it.");
                return;
            }

            var within = target.WithinHorizonDailyIntake is { } w ? $"[bold]{w:0.0}[/] new clients a day until then" : "[red]no intake is enough[/]: new clients cannot close before the month ends";
            var steady = target.SteadyStateDailyIntake is { } d ? $"{d:0.0} a day" : "-";
            console.MarkupLine($"Still missing {target.TargetWins} wins; the clients in work should bring {target.ExpectedWinsFromPipeline:0.0}. For the other {shortfall:0.0}: {within} (at current conversion, ignoring how long closing takes: {steady}).");
        }
        else
        {
            console.MarkupLine(month.Closed ? "[green]No win is missing for the next month's target.[/]" : "[green]The month's target is already reached.[/]");
        }

    }

    private static string MonthName(DateOnly month) => month.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    private static string Money(decimal? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Share(double? share) => share is { } s ? s.ToString("0%", CultureInfo.InvariantCulture) : "-";

    private static string Days(TimeSpan? span) => span is { } s ? s.TotalDays.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Days(DurationEstimate estimate) =>
        estimate.Value is { } v ? Days(v) : estimate.MoreThan is { } m ? $">{Days(m)}" : "-";

    private static string Versus(int today, double average, bool lowerIsBetter = false)
    {
        var text = $"{today} ({average.ToString("0.0", CultureInfo.InvariantCulture)})";
        var better = lowerIsBetter ? today < average : today > average;
        var worse = lowerIsBetter ? today > average : today < average;
        return better && Math.Abs(today - average) >= 1 ? $"[green]{text}[/]" : worse && Math.Abs(today - average) >= 1 ? $"[red]{text}[/]" : text;
    }
}

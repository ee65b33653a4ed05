using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// A sales pipeline: its ordered stages and which of them means the client is won. Immutable and
/// validated on construction. Several pipelines may coexist, for example one per product line.
/// </summary>
/// <remarks>
/// <para>
/// The won stage is terminal: a client who reaches it stays there until reopened. Losing a client is
/// not a stage but an outcome (see <see cref="TransitionKind.Lost"/>), so CRM stages such as "closed lost"
/// are not listed here.
/// </para>
/// <para>
/// By default the last stage is the won stage. When another stage is named, the stages after it are
/// ordinary open stages; a move from any of them into the won stage is still a win.
/// </para>
/// </remarks>
public sealed class PipelineDefinition : IEquatable<PipelineDefinition>
{
    /// <summary>The most stages a pipeline may have: 32,767, the stage indexes the metrics log stores in 16 bits.</summary>
    public const int MaxStages = short.MaxValue;

    private readonly StageDefinition[] _stages;
    private readonly Dictionary<StageId, int> _indexByKey;

    /// <summary>Creates a pipeline definition.</summary>
    /// <param name="id">The pipeline's identifier.</param>
    /// <param name="name">The name shown to people, at most 200 characters.</param>
    /// <param name="stages">The stages in funnel order: at least two and at most <see cref="MaxStages"/> (32,767), with unique keys.</param>
    /// <param name="wonStage">The stage that means won; <see langword="null"/> for the last stage.</param>
    /// <param name="currencyCode">An ISO 4217 code (three upper-case letters such as <c>EUR</c>) for client values, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    public PipelineDefinition(PipelineId id, string name, IReadOnlyList<StageDefinition> stages, StageId? wonStage = null, string? currencyCode = null)
    {
        Id = TextRules.NotDefault(id, "A pipeline id", nameof(id));
        Name = TextRules.Required(name, TextRules.MaxNameLength, "A pipeline's name", nameof(name));
        ArgumentNullException.ThrowIfNull(stages);
        _stages = [.. stages];
        if (_stages.Length < 2)
        {
            throw new ArgumentException($"Pipeline '{id}' needs at least two stages: one to work in and one that means won; it has {_stages.Length}.", nameof(stages));
        }

        if (_stages.Length > MaxStages)
        {
            throw new ArgumentOutOfRangeException(nameof(stages), _stages.Length, $"Pipeline '{id}' has {_stages.Length:N0} stages; at most {MaxStages:N0} are supported.");
        }

        _indexByKey = new Dictionary<StageId, int>(_stages.Length);
        for (var i = 0; i < _stages.Length; i++)
        {
            var stage = _stages[i] ?? throw new ArgumentException($"Stage {i} of pipeline '{id}' is null.", nameof(stages));
            if (!_indexByKey.TryAdd(stage.Key, i))
            {
                throw new ArgumentException($"Pipeline '{id}' lists the stage key '{stage.Key}' twice (positions {_indexByKey[stage.Key]} and {i}); keys must be unique.", nameof(stages));
            }
        }

        if (wonStage is { } won)
        {
            if (!_indexByKey.TryGetValue(TextRules.NotDefault(won, "The won stage", nameof(wonStage)), out var wonIndex))
            {
                throw new ArgumentException($"The won stage '{won}' is not one of the stages of pipeline '{id}'.", nameof(wonStage));
            }

            WonStageIndex = wonIndex;
        }
        else
        {
            WonStageIndex = _stages.Length - 1;
        }

        if (currencyCode is not null && (currencyCode.Length != 3 || !currencyCode.All(char.IsAsciiLetterUpper)))
        {
            throw new ArgumentException($"The currency code of pipeline '{id}' must be three upper-case ASCII letters (ISO 4217, such as EUR); got '{currencyCode}'.", nameof(currencyCode));
        }

        CurrencyCode = currencyCode;
    }

    /// <summary>
    /// The JSON constructor: its parameter types match the properties, as System.Text.Json requires (it binds by name;
    /// the order differs from the public constructor only to keep C# calls unambiguous). A document without
    /// <c>wonStage</c> gets <c>default(StageId)</c>, the last stage; the parameter has no C# default, so a JSON schema
    /// exporter (OpenAPI) does not try to write the unset identifier as the default value.
    /// </summary>
    [JsonConstructor]
    internal PipelineDefinition(string name, PipelineId id, IReadOnlyList<StageDefinition> stages, StageId wonStage, string? currencyCode = null)
        : this(id, name, stages, wonStage.IsDefault ? null : wonStage, currencyCode)
    {
    }

    /// <summary>The pipeline's identifier.</summary>
    public PipelineId Id { get; }

    /// <summary>The name shown to people.</summary>
    public string Name { get; }

    /// <summary>The stages in funnel order.</summary>
    public IReadOnlyList<StageDefinition> Stages => _stages;

    /// <summary>The key of the stage that means the client is won.</summary>
    public StageId WonStage => _stages[WonStageIndex].Key;

    /// <summary>The position of <see cref="WonStage"/> in <see cref="Stages"/>.</summary>
    [JsonIgnore]
    public int WonStageIndex { get; }

    /// <summary>
    /// The position of the first open stage: the first stage, or the second when the won stage is named first. Where
    /// intake enters and where the cumulative conversion starts.
    /// </summary>
    internal int FirstOpenStageIndex => WonStageIndex == 0 ? 1 : 0;

    /// <summary>The ISO 4217 currency of client values, or <see langword="null"/> when not set.</summary>
    public string? CurrencyCode { get; }

    /// <summary>Whether <paramref name="stage"/> is one of this pipeline's stages.</summary>
    /// <param name="stage">The stage key.</param>
    /// <returns><see langword="true"/> when the pipeline has the stage.</returns>
    public bool Contains(StageId stage) => _indexByKey.ContainsKey(stage);

    /// <summary>The position of <paramref name="stage"/> in <see cref="Stages"/>, or -1 when the pipeline has no such stage.</summary>
    /// <param name="stage">The stage key.</param>
    /// <returns>The zero-based position, or -1.</returns>
    public int IndexOf(StageId stage) => _indexByKey.GetValueOrDefault(stage, -1);

    /// <summary>
    /// The kind of a move of an open client between two positions of this pipeline, by the stage order alone:
    /// <see cref="TransitionKind.Won"/> into the won stage from whichever position, <see cref="TransitionKind.Advanced"/>
    /// to the next position, <see cref="TransitionKind.Skipped"/> further forward, <see cref="TransitionKind.Regressed"/>
    /// back. Whether the move is allowed at all (a move to the same stage is not) is the rule table's:
    /// <see cref="TransitionRules"/>.
    /// </summary>
    /// <param name="fromIndex">The position the client is at.</param>
    /// <param name="toIndex">The position it moves to.</param>
    /// <returns>The kind the move records.</returns>
    internal TransitionKind ClassifyMove(int fromIndex, int toIndex) =>
        toIndex == WonStageIndex ? TransitionKind.Won
        : toIndex == fromIndex + 1 ? TransitionKind.Advanced
        : toIndex > fromIndex ? TransitionKind.Skipped
        : TransitionKind.Regressed;

    /// <summary>Gets a stage by key. See <see cref="TryGetStage"/> for the non-throwing form.</summary>
    /// <param name="stage">The stage key.</param>
    /// <returns>The stage.</returns>
    /// <exception cref="UnknownStageException">The pipeline has no such stage.</exception>
    public StageDefinition GetStage(StageId stage) =>
        TryGetStage(stage, out var definition) ? definition : throw new UnknownStageException(Id, stage, null);

    /// <summary>Gets a stage by key. See <see cref="GetStage"/> for the throwing form.</summary>
    /// <param name="stage">The stage key.</param>
    /// <param name="definition">The stage, or <see langword="null"/> when the pipeline has no such stage.</param>
    /// <returns>Whether the pipeline has the stage.</returns>
    public bool TryGetStage(StageId stage, [NotNullWhen(true)] out StageDefinition? definition)
    {
        if (_indexByKey.TryGetValue(stage, out var index))
        {
            definition = _stages[index];
            return true;
        }

        definition = null;
        return false;
    }

    /// <inheritdoc/>
    public bool Equals(PipelineDefinition? other) =>
        other is not null
        && Id == other.Id
        && Name == other.Name
        && WonStageIndex == other.WonStageIndex
        && CurrencyCode == other.CurrencyCode
        && _stages.AsSpan().SequenceEqual(other._stages);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PipelineDefinition);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Name, WonStageIndex, _stages.Length);

    /// <summary>The id, name and stage keys.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => _stages.Length <= 12
        ? $"{Id} ({Name}): {string.Join(" > ", _stages.Select(s => s.Key))}, won at {WonStage}"
        : $"{Id} ({Name}): {string.Join(" > ", _stages.Take(10).Select(s => s.Key))} > ... ({_stages.Length:N0} stages), won at {WonStage}";
}

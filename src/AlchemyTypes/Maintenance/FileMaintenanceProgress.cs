namespace AlchemyTypes.Maintenance;

/// <summary>Where a long maintenance operation (reconcile, scrub, move) is: reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Operation">"reconcile", "scrub" or "move".</param>
/// <param name="Phase">What it is doing now, e.g. "reading rows", "listing", "comparing", "recording deletes", "copying".</param>
/// <param name="Processed">How many rows, objects or files this phase has handled so far.</param>
/// <param name="Backend">The storage backend the phase works on, when it works on one.</param>
public sealed record FileMaintenanceProgress(string Operation, string Phase, long Processed, string? Backend);

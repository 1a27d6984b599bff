namespace AlchemyTypes.Diagnostics.Internal;

/// <summary>The span and attribute names of delete processing and reconciliation (docs/operations.md lists them).</summary>
internal static class PendingDeleteTelemetry
{
    public const string ProcessSpan = "alchemytypes.pending_deletes.process";
    public const string BatchSpan = "alchemytypes.pending_deletes.batch";
    public const string ReconcileSpan = "alchemytypes.reconcile";

    public const string BatchSizeAttribute = "alchemytypes.pending_deletes.batch_size";
    public const string DeletedAttribute = "alchemytypes.pending_deletes.deleted";
    public const string FailedAttribute = "alchemytypes.pending_deletes.failed";

    public const string DryRunAttribute = "alchemytypes.reconcile.dry_run";
    public const string ObjectsListedAttribute = "alchemytypes.reconcile.objects_listed";
    public const string OrphansFoundAttribute = "alchemytypes.reconcile.orphans_found";
    public const string OrphansDeletedAttribute = "alchemytypes.reconcile.orphans_deleted";
    public const string MissingAttribute = "alchemytypes.reconcile.missing";
}

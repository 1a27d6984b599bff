namespace AlchemyTypes.Maintenance;

/// <summary>What one run of the hosted file maintenance did.</summary>
/// <param name="Ran">False when another instance held the maintenance lock, so this one skipped the run.</param>
/// <param name="Deletes">The outbox processing, when it ran.</param>
/// <param name="Reconcile">The reconciliation, when it ran.</param>
public sealed record FileMaintenanceRun(bool Ran, PendingStorageDeleteReport? Deletes, FileReconcileReport? Reconcile);

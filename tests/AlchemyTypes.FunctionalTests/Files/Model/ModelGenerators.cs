using CsCheck;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>One generator per user action; <see cref="Sequence"/> mixes them with weights.</summary>
public static class ModelGenerators
{
    private static readonly Gen<int> Pick = Gen.Int[0, 7];
    private static readonly Gen<int> Content = Gen.Int[0, 999];
    private static readonly Gen<FileSlot> Slot = Gen.OneOf(FileSlot.Main, FileSlot.Extra, FileSlot.Attachment, FileSlot.StampFile, FileSlot.NoteFile);

    private static readonly Gen<Fault> SaveFault = Gen.Frequency(
        (12, Gen.Const(Fault.None)),
        (1, Gen.OneOf(
            Fault.UploadFails, Fault.DeleteFails, Fault.CommitFailsBeforeServer, Fault.CommitFailsAfterServer,
            Fault.CancelAtUpload, Fault.CancelAtSql, Fault.CancelBeforeCommit, Fault.CancelAfterCommit)));

    private static readonly Gen<Fault> CommitFault = Gen.Frequency(
        (6, Gen.Const(Fault.None)),
        (1, Gen.OneOf(Fault.DeleteFails, Fault.CommitFailsBeforeServer, Fault.CommitFailsAfterServer, Fault.CancelBeforeCommit, Fault.CancelAfterCommit)));

    public static Gen<ModelStep> AddDoc { get; } =
        Gen.Select(Pick, Gen.Bool, Gen.Bool, Gen.Int[0, 2], Gen.Bool, Gen.Bool, Content)
            .Select(t => (ModelStep)new AddDoc(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    public static Gen<ModelStep> AddDocReusingKey { get; } = Gen.Select(Pick, Content, (r, c) => (ModelStep)new AddDocReusingKey(r, c));

    public static Gen<ModelStep> ReplaceFile { get; } = Gen.Select(Pick, Slot, Content, (d, s, c) => (ModelStep)new ReplaceFile(d, s, c));

    public static Gen<ModelStep> SetNull { get; } = Gen.Select(Pick, Slot, Pick, (d, s, i) => (ModelStep)new SetNull(d, s, i));

    public static Gen<ModelStep> ListMove { get; } = Gen.Select(Pick, Pick, Pick, (d, f, t) => (ModelStep)new ListMove(d, f, t));

    public static Gen<ModelStep> ListReassignReversed { get; } = Pick.Select(d => (ModelStep)new ListReassignReversed(d));

    public static Gen<ModelStep> MoveFile { get; } = Gen.Select(Gen.Int[0, 15], Gen.Int[0, 8], Slot, (f, d, s) => (ModelStep)new MoveFile(f, d, s));

    public static Gen<ModelStep> RecreateDoc { get; } = Pick.Select(d => (ModelStep)new RecreateDoc(d));

    public static Gen<ModelStep> ReplaceStampKeepingFile { get; } = Pick.Select(d => (ModelStep)new ReplaceStampKeepingFile(d));

    public static Gen<ModelStep> ReplaceNoteKeepingFile { get; } = Pick.Select(d => (ModelStep)new ReplaceNoteKeepingFile(d));

    public static Gen<ModelStep> DeleteDoc { get; } = Pick.Select(d => (ModelStep)new DeleteDoc(d));

    public static Gen<ModelStep> DeleteFolder { get; } = Pick.Select(f => (ModelStep)new DeleteFolder(f));

    public static Gen<ModelStep> DeleteDocDatabaseCascade { get; } = Pick.Select(d => (ModelStep)new DeleteDocDatabaseCascade(d));

    public static Gen<ModelStep> Save { get; } = Gen.Select(SaveFault, Gen.Int[0, 5], Gen.Bool, (f, s, c) => (ModelStep)new Save(f, s == 0, c));

    public static Gen<ModelStep> Begin { get; } = Gen.Const((ModelStep)new Begin());

    public static Gen<ModelStep> Savepoint { get; } = Gen.Const((ModelStep)new Savepoint());

    public static Gen<ModelStep> RollbackToSavepoint { get; } = Pick.Select(w => (ModelStep)new RollbackToSavepoint(w));

    public static Gen<ModelStep> Commit { get; } = CommitFault.Select(f => (ModelStep)new Commit(f));

    public static Gen<ModelStep> Rollback { get; } = Gen.Const((ModelStep)new Rollback());

    public static Gen<ModelStep> NewContext { get; } = Gen.Const((ModelStep)new NewContext());

    public static Gen<ModelStep> ProcessDeletes { get; } = Gen.Const((ModelStep)new ProcessDeletes());

    public static Gen<ModelStep> Step { get; } = Gen.Frequency(
        (8, AddDoc),
        (2, AddDocReusingKey),
        (5, ReplaceFile),
        (3, SetNull),
        (2, ListMove),
        (1, ListReassignReversed),
        (3, MoveFile),
        (2, RecreateDoc),
        (2, ReplaceStampKeepingFile),
        (2, ReplaceNoteKeepingFile),
        (3, DeleteDoc),
        (1, DeleteFolder),
        (1, DeleteDocDatabaseCascade),
        (12, Save),
        (3, Begin),
        (2, Savepoint),
        (2, RollbackToSavepoint),
        (3, Commit),
        (1, Rollback),
        (2, NewContext),
        (2, ProcessDeletes));

    public static Gen<ModelStep> Reconcile { get; } = Gen.Bool.Select(later => (ModelStep)new Reconcile(later));

    public static Gen<ModelStep> BulkDelete { get; } = Pick.Select(d => (ModelStep)new BulkDelete(d));

    public static Gen<ModelStep> DetachedUpdate { get; } = Gen.Select(Pick, Slot, Content, (d, s, c) => (ModelStep)new DetachedUpdate(d, s, c));

    public static Gen<ModelStep> StaleWriter { get; } = Gen.Select(Pick, Slot, Content, (d, s, c) => (ModelStep)new StaleWriter(d, s, c));

    /// <summary>The writer's steps with maintenance between them: reconcile, bulk deletes, detached updates (and stale writers when switched on).</summary>
    public static Gen<ModelStep> StepWithMaintenance(bool staleWriters) => Gen.Frequency(
        [
            (40, Step),
            (3, Reconcile),
            (2, BulkDelete),
            (3, DetachedUpdate),
            .. staleWriters ? [(3, StaleWriter)] : Array.Empty<(int, Gen<ModelStep>)>(),
        ]);

    /// <summary>A run of up to <paramref name="maxSteps"/> steps with maintenance interleaved.</summary>
    public static Gen<ModelSequence> SequenceWithMaintenance(int maxSteps, bool staleWriters)
        => Gen.Select(Gen.Bool, StepWithMaintenance(staleWriters).Array[1, maxSteps], (p, s) => new ModelSequence(p, s));

    /// <summary>A run of up to <paramref name="maxSteps"/> steps.</summary>
    public static Gen<ModelSequence> Sequence(int maxSteps) => Gen.Select(Gen.Bool, Step.Array[1, maxSteps], (p, s) => new ModelSequence(p, s));
}

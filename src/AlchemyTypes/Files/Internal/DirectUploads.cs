using System.Linq.Expressions;
using AlchemyTypes.Infrastructure.Internal;
using AlchemyTypes.Keys;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Direct uploads. A target is a signed PUT URL for a fresh key under <see cref="UploadPrefix"/> plus a signed attach token. Attaching
/// checks the token, the object (there, not larger than declared or allowed, content type from its first bytes) and returns a
/// FileObject whose content is that object: SaveChanges copies it (hashing it) to the key without the prefix, refusing an existing
/// one, and records the uploaded object for deletion in the same transaction. The row therefore never references an object a
/// holder of the upload URL can still write, and a token attaches at most once while its row's file exists.
/// </summary>
internal static class DirectUploads
{
    /// <summary>Where browsers upload; the saved copy lives at the same key without it.</summary>
    public const string UploadPrefix = "direct-uploads/";

    public static async Task<DirectUploadTarget> CreateAsync(
        DbContext context, Type entityType, LambdaExpression property, DirectUploadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = OptionsOf(context);
        var rule = RuleOf(context, entityType, property);
        FileObject.CheckFileName(request.FileName);
        if (request.Size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Size, "DirectUploadRequest.Size is the file's size in bytes: 0 or more.");
        }

        var contentType = request.ContentType ?? ContentTypes.Guess(request.FileName);
        if (!ContentTypes.IsValid(contentType))
        {
            throw new ArgumentException($"'{contentType}' is not a valid content type (expected type/subtype, e.g. application/pdf).", nameof(request));
        }

        if (request.Size > rule.MaxSize)
        {
            throw TooLarge(rule, request.FileName, request.Size);
        }

        if (rule.AllowedContentTypes is { } allowed && !allowed.Any(pattern => ContentTypes.Matches(contentType, pattern)))
        {
            throw new FileValidationException($"'{request.FileName}' has the content type '{contentType}', which {rule.DisplayName} does not "
                + $"accept (allowed: {string.Join(", ", allowed)}); no upload target was created.") { Property = rule.DisplayName };
        }

        var (backend, storage) = StorageOf(context, rule);
        if (storage is not ISignedUrlStorageBackend { CanSignUrls: true } signer)
        {
            throw new DirectUploadException(DirectUploadFailure.NotSupported, $"The storage backend '{backend}' of {rule.DisplayName} "
                + $"({storage}) cannot sign upload URLs: use S3, Azure with a shared key, or the local backend with a SigningKey and BaseUrl.");
        }

        var key = UploadPrefix + FileObject.KeyFor(UuidV7ValueGenerator.NewGuid(null), request.FileName);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(AlchemyTypesClock.UtcNow(context)).Add(options.ExpiresIn).ToUnixTimeSeconds());
        var signing = new SignedUrlOptions
        {
            Method = SignedUrlMethod.Put, ExpiresIn = options.ExpiresIn, ContentType = contentType, MaxSize = request.Size,
        };
        var url = await signer.GetSignedUrlAsync(key, signing, cancellationToken).ConfigureAwait(false);
        var token = new DirectUploadToken(backend, key, expiresAt.ToUnixTimeSeconds(), rule.DisplayName, request.FileName, contentType,
            request.ContentType is not null, request.Size).Sign(options.SigningKey);
        return new DirectUploadTarget(url, signer.GetSignedUploadHeaders(signing), expiresAt, token);
    }

    public static async Task<FileObject> AttachAsync(
        DbContext context, Type entityType, LambdaExpression property, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var options = OptionsOf(context);
        var rule = RuleOf(context, entityType, property);
        var claims = DirectUploadToken.Verify(options.SigningKey, token)
            ?? throw new DirectUploadException(DirectUploadFailure.InvalidToken, "The direct-upload token is not valid: it is malformed, "
                + "was altered, or was signed with another key. Ask for a new upload target.");
        if (DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt) <= new DateTimeOffset(AlchemyTypesClock.UtcNow(context)))
        {
            throw new DirectUploadException(DirectUploadFailure.Expired, "The direct-upload token has expired: ask for a new upload target "
                + "(DirectUploadOptions.ExpiresIn sets how long targets live).");
        }

        var (backend, storage) = StorageOf(context, rule);
        if (claims.Property != rule.DisplayName || claims.Backend != backend)
        {
            throw new DirectUploadException(DirectUploadFailure.WrongProperty, $"The direct-upload token was issued for {claims.Property} "
                + $"(backend '{claims.Backend}'), not for {rule.DisplayName} (backend '{backend}'). Attach it to the property it was made for.");
        }

        if (!claims.Key.StartsWith(UploadPrefix, StringComparison.Ordinal))
        {
            throw new DirectUploadException(DirectUploadFailure.InvalidToken, "The direct-upload token is not valid. Ask for a new upload target.");
        }

        var key = claims.Key[UploadPrefix.Length..];
        if (await storage.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            throw new DirectUploadException(DirectUploadFailure.AlreadyAttached, $"The direct upload '{claims.FileName}' was attached "
                + "already: its file belongs to a row. A token attaches once.");
        }

        StoredObjectInfo info;
        try
        {
            info = await storage.GetInfoAsync(claims.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException ex)
        {
            throw new DirectUploadException(DirectUploadFailure.NotUploaded, $"Nothing was uploaded for '{claims.FileName}' (or it was "
                + "attached and removed already). Upload with the target's URL and headers first.", ex);
        }

        string contentType;
        try
        {
            if (info.Size > claims.MaxSize)
            {
                throw MoreThanDeclared(rule, claims.FileName, info.Size, claims.MaxSize, "it was not attached");
            }

            if (info.Size > rule.MaxSize)
            {
                throw TooLarge(rule, claims.FileName, info.Size);
            }

            contentType = await InspectAsync(storage, claims, info.Size, rule, cancellationToken).ConfigureAwait(false);
        }
        catch (FileValidationException)
        {
            // A refused upload is of no use to anyone: removed now rather than left for reconcile's grace period.
            await RemoveRefusedAsync(storage, claims.Key, async: true).ConfigureAwait(false);
            throw;
        }

        return FileObject.FromDirectUpload(claims.FileName, key, backend, contentType, storage, claims.Key, claims.MaxSize, info.ETag);
    }

    /// <summary>
    /// Before SaveChanges copies an attached direct upload: the object in its upload place must still be the one checked when it
    /// was attached (same ETag, when the backend gives one) and not larger than declared. Returns the size limit for the copy
    /// itself (the declared size, or the property's limit when smaller), which holds even if the object changes while read.
    /// </summary>
    public static async Task<(long Limit, Func<long, Exception> OnTooLarge)> RecheckBeforeCopyAsync(
        FileObject file, IStorageBackend storage, FileProperty rule, bool async, CancellationToken cancellationToken)
    {
        var uploadKey = file.DirectUploadSource!.Value.Key;
        var (declared, eTag) = file.DirectUploadAttached!.Value;
        StoredObjectInfo info;
        try
        {
            info = async
                ? await storage.GetInfoAsync(uploadKey, cancellationToken).ConfigureAwait(false)
                : Task.Run(() => storage.GetInfoAsync(uploadKey, CancellationToken.None)).GetAwaiter().GetResult();
        }
        catch (StorageObjectNotFoundException ex)
        {
            throw new DirectUploadException(DirectUploadFailure.NotUploaded, $"The direct upload of '{file.FileName}' is no longer in "
                + "storage (attached and saved already, or removed): nothing was stored. Ask for a new upload target.", ex);
        }

        if (info.Size > declared)
        {
            throw MoreThanDeclared(rule, file.FileName, info.Size, declared, "nothing was stored and the upload was removed");
        }

        if (eTag is not null && info.ETag is not null && !string.Equals(eTag, info.ETag, StringComparison.Ordinal))
        {
            throw new FileValidationException($"The direct upload '{file.FileName}' changed after it was attached (it was uploaded again "
                + "through its URL); nothing was stored and the upload was removed. Upload the file again with a new target.")
            {
                Property = rule.DisplayName,
            };
        }

        return rule.MaxSize is { } max && max < declared
            ? (max, size => TooLarge(rule, file.FileName, size))
            : (declared, size => MoreThanDeclared(rule, file.FileName, size, declared, "nothing was stored and the upload was removed"));
    }

    /// <summary>Deletes a refused direct upload from its upload place at once. Never throws (reconcile collects it otherwise).</summary>
    public static async Task RemoveRefusedAsync(IStorageBackend storage, string uploadKey, bool async)
    {
        try
        {
            if (async)
            {
                await storage.DeleteAsync(uploadKey, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                storage.DeleteMany([uploadKey]);
            }
        }
        catch (Exception)
        {
            // Left for ReconcileFilesAsync, which removes unattached uploads after its grace period.
        }
    }

    private static FileValidationException MoreThanDeclared(FileProperty rule, string fileName, long size, long declared, string outcome)
        => new($"'{fileName}' has {size} bytes, more than the {declared} declared when its upload target was created; {outcome}.")
        {
            Property = rule.DisplayName,
        };

    private static async Task<string> InspectAsync(
        IStorageBackend storage, DirectUploadToken claims, long size, FileProperty rule, CancellationToken cancellationToken)
    {
        var head = size == 0
            ? new MemoryStream()
            : await storage.OpenReadAsync(claims.Key, new StorageRange(0, Math.Min(size, ContentSniffer.HeadSize)), cancellationToken)
                .ConfigureAwait(false);
        await using (head.ConfigureAwait(false))
        {
            var (_, contentType) = await UploadContentInspector.InspectAsync(head, claims.FileName, claims.ContentType,
                claims.ContentTypeDeclared, rule.AllowedContentTypes, rule.DisplayName, async: true, cancellationToken).ConfigureAwait(false);
            return contentType;
        }
    }

    private static FileValidationException TooLarge(FileProperty rule, string fileName, long size)
        => new($"'{fileName}' has {size} bytes, more than the {rule.MaxSize} allowed for {rule.DisplayName}; it was not accepted.")
        {
            Property = rule.DisplayName,
        };

    private static DirectUploadOptions OptionsOf(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetService<IDbContextOptions>().FindExtension<AlchemyTypesOptionsExtension>()?.DirectUploads
            ?? throw new DirectUploadException(DirectUploadFailure.NotSupported, "Direct uploads are not configured on this context: add "
                + "AddAlchemyTypes(a => a.UseDirectUploads(new DirectUploadOptions { SigningKey = … })).");
    }

    private static (string Name, IStorageBackend Storage) StorageOf(DbContext context, FileProperty rule)
    {
        var registry = context.GetService<AlchemyTypesSingletonOptions>().StorageRegistry
            ?? throw new AlchemyTypesConfigurationException("No storage backend is registered on this context: AddAlchemyTypes(a => "
                + "a.AddStorage(name, backend)).");
        var name = rule.Backend ?? registry.DefaultName;
        return (name, registry.Get(name));
    }

    private static FileProperty RuleOf(DbContext context, Type entityType, LambdaExpression property)
    {
        ArgumentNullException.ThrowIfNull(property);
        var body = property.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : property.Body;
        if (body is not MemberExpression { Expression: ParameterExpression } member)
        {
            throw new ArgumentException($"'{property}' does not name a property: use a lambda like d => d.File.", nameof(property));
        }

        var type = context.Model.FindEntityType(entityType)
            ?? throw new ArgumentException($"'{entityType.Name}' is not an entity type of {context.GetType().Name}.", nameof(property));
        return FileProperty.Of(type).FirstOrDefault(p => p.Property.Name == member.Member.Name)
            ?? throw new ArgumentException($"'{entityType.Name}.{member.Member.Name}' is not a FileObject or FileObjectList property "
                + "mapped by this context.", nameof(property));
    }
}

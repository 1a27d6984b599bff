using System.Security.Claims;
using AlchemyTypes;
using AlchemyTypes.AspNetCore;
using AlchemyTypes.Passwords;
using AlchemyTypes.Sample;
using AlchemyTypes.Sample.Data;
using AlchemyTypes.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddSampleData();
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
{
    o.LoginPath = "/";
    o.Cookie.HttpOnly = true;
    o.Cookie.SameSite = SameSiteMode.Strict;
});
builder.Services.AddAuthorization();
builder.Services.AddAntiforgery();

// /health: every storage backend reachable, and the backlog of recorded storage deletes (degraded past 10,000 rows or 3 h).
builder.Services.AddHealthChecks()
    .AddAlchemyTypesStorage()
    .AddAlchemyTypesPendingDeletes<SampleDbContext>();

// Recorded storage deletes processed, and storage reconciled with the rows, in the background (one process: SQLite).
var maintenance = builder.Configuration.GetSection("Maintenance");
builder.Services.AddFileMaintenance<SampleDbContext>(m =>
{
    m.Interval = maintenance.GetValue("Interval", TimeSpan.FromHours(1));
    m.InitialDelay = maintenance.GetValue("InitialDelay", TimeSpan.FromMinutes(1));
    m.Reconcile = new() { GracePeriod = maintenance.GetValue("GracePeriod", TimeSpan.FromHours(24)) };
});

var app = builder.Build();
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Database.MigrateAsync();
}

await StorageProvisioning.EnsureAsync(app);   // Development + Storage:CreateIfMissing=true: bucket/container and CORS

// An error nobody handled gets a page too: storage that cannot be reached (bucket or container missing, service down) is a
// 503 that says what to check; anything else a 500. Details go to the log, never to the page.
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
    {
        var storage = ex is StorageException or FileStorageException || ex.InnerException is StorageException;
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AlchemyTypes.Sample")
            .LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
        context.Response.Clear();
        context.Response.StatusCode = storage ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(storage
            ? ErrorPage.Render(503, "The file storage is not available",
                "The app could not reach its file storage, so nothing was saved. Check that the storage service is running and that "
                + "its bucket or container exists (in Development, start the sample with Storage:CreateIfMissing=true to create "
                + "it); /health shows which check fails and why. Then try again.")
            : ErrorPage.Render(500, "Something went wrong", "The server could not do that. Try again in a moment; the server log has the details."));
    }
});

// Bare status codes (a stale form's antiforgery token, a page that does not exist, a body over the limit) get a page too.
app.UseStatusCodePages(async context =>
{
    var response = context.HttpContext.Response;
    var (title, message) = response.StatusCode switch
    {
        400 => ("The form could not be accepted", "The page was probably open for too long: reload it and try again."),
        401 or 403 => ("Please sign in", "Sign in or sign up on the start page first."),
        404 => ("Not found", "That document or file does not exist, or it is not yours."),
        413 => ("That file is too large", $"The form accepts up to {HumanSize.Format(FormLimit(context.HttpContext))} in one upload "
            + "(a document's file may have up to 50 MB, each attachment up to 20 MB). Choose a smaller file, or use “Upload straight "
            + "to storage” when the page offers it."),
        _ => ("Something went wrong", "Try again in a moment."),
    };
    response.ContentType = "text/html; charset=utf-8";
    await response.WriteAsync(ErrorPage.Render(response.StatusCode, title, message));
});

// A form larger than the server accepts is a 413 page. Without this the antiforgery check, which reads the form first,
// would turn the size error into "the form could not be accepted" (400).
app.Use(async (context, next) =>
{
    if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
    {
        try
        {
            if (context.Request.ContentLength is { } length && length > FormLimit(context))
            {
                // Read (and drop) the body before answering, up to 256 MB: a browser still sending its upload may not
                // read an answer that comes first on a connection the server then closes, and would show a network error.
                var size = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
                if (size is { IsReadOnly: false } && length <= 256_000_000)
                {
                    size.MaxRequestBodySize = null;
                    await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                }

                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;   // the status code page says what to do
            return;
        }
    }

    await next(context);
});
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

// JSON with each check's status and reason, e.g. {"status":"Unhealthy","checks":[{"name":"alchemytypes-storage",…}]}.
app.MapHealthChecks("/health", HealthJson.CheckOptions);
app.MapGet(SiteStyle.Path, () => Results.Text(SiteStyle.Css, "text/css; charset=utf-8"));

// Signed URLs of the local backends (direct uploads and downloads) are served here; the signature is the authorization.
foreach (var name in app.Services.GetRequiredService<StorageRegistry>().Names)
{
    if (app.Services.GetRequiredService<StorageRegistry>().Get(name) is LocalFileSystemStorageBackend { CanSignUrls: true })
    {
        app.MapAlchemyTypesLocalStorage(name);
    }
}

app.MapGet("/", async (HttpContext http, SampleDbContext db, StorageRegistry storage, IAntiforgery antiforgery) =>
{
    var token = antiforgery.GetAndStoreTokens(http).RequestToken!;
    User? user = null;
    List<Document> documents = [];
    if (CurrentUserId(http) is { } userId)
    {
        user = await db.Users.FindAsync(userId);
        documents = await db.Documents.Where(d => d.OwnerId == userId).OrderBy(d => d.CreatedAt).ToListAsync();
    }

    var directUploads = storage.Default is ISignedUrlStorageBackend { CanSignUrls: true };
    return Results.Content(HomePage.Render(token, user, documents, Flash.Take(http), directUploads), "text/html; charset=utf-8");
});

// Every state-changing endpoint checks the antiforgery token, whether it binds a form or not (sign-out and delete do not).
var site = app.MapGroup("").RequireAntiforgeryToken();

site.MapPost("/signup", async (HttpContext http, SampleDbContext db, [FromForm] string email, [FromForm] string displayName, [FromForm] string password) =>
{
    email = email.Trim().ToLowerInvariant();
    if (await db.Users.AnyAsync(u => u.Email == email))
    {
        return ErrorPage.Result(StatusCodes.Status409Conflict, "That email is already registered",
            "Sign in with it instead, or sign up with another email address.");
    }

    PasswordHash hash;
    try
    {
        hash = PasswordHash.FromPassword(password);
    }
    catch (InvalidPasswordException ex)
    {
        return ErrorPage.Result(StatusCodes.Status400BadRequest, "Choose another password", ex.Message);
    }

    var user = new User { Email = email, DisplayName = displayName.Trim(), Password = hash };
    db.Add(user);
    await db.SaveChangesAsync();
    await SignIn(http, user);
    return Results.Redirect("/");
});

site.MapPost("/signin", async (HttpContext http, SampleDbContext db, SignInCheck check, [FromForm] string email, [FromForm] string password) =>
{
    email = email.Trim().ToLowerInvariant();
    var (user, upgraded) = await check.CheckAsync(db, email, password, http.RequestAborted);
    if (user is null)
    {
        // One answer for an unknown email and a wrong password: the page must not tell which accounts exist.
        return ErrorPage.Result(StatusCodes.Status401Unauthorized, "Wrong email or password",
            "Check both and try again. Passwords are case-sensitive.");
    }

    if (upgraded is not null)
    {
        user.Password = upgraded;   // the stored hash used weaker parameters or another algorithm
        await db.SaveChangesAsync();
    }

    await SignIn(http, user);
    return Results.Redirect("/");
});

site.MapPost("/signout", async (HttpContext http) =>
{
    await http.SignOutAsync();
    return Results.Redirect("/");
});

var documentsApi = site.MapGroup("/documents").RequireAuthorization();

documentsApi.MapPost("/", async (HttpContext http, SampleDbContext db, [FromForm] string title, IFormFile file, IFormFileCollection form) =>
{
    var document = new Document { OwnerId = CurrentUserId(http)!.Value, Title = title, File = file.ToFileObject() };
    foreach (var attachment in form.GetFiles("attachments"))
    {
        document.Attachments.Add(attachment.ToFileObject());
    }

    db.Add(document);
    return await SaveUploads(db) ?? Results.Redirect("/");   // uploads happen here, before the row commits
});

// Direct uploads: the browser asks for an upload target, sends the file straight to storage, then attaches it with the
// token. JSON endpoints: the page's antiforgery token travels in the RequestVerificationToken header.
documentsApi.MapPost("/uploads", async (SampleDbContext db, DirectUploadRequest request) =>
{
    try
    {
        return Results.Ok(await db.CreateDirectUploadAsync<Document>(d => d.File, request));
    }
    catch (Exception ex) when (ex is FileValidationException or ArgumentException or DirectUploadException)
    {
        return ErrorPage.Result(StatusCodes.Status422UnprocessableEntity, "That file cannot be uploaded", ex.Message);
    }
});

documentsApi.MapPost("/direct", async (HttpContext http, SampleDbContext db, DirectAttachment attachment) =>
{
    var document = new Document { OwnerId = CurrentUserId(http)!.Value, Title = attachment.Title };
    try
    {
        document.File = await db.AttachDirectUploadAsync<Document>(d => d.File, attachment.Token);
    }
    catch (DirectUploadException ex)
    {
        return ErrorPage.Result(StatusCodes.Status422UnprocessableEntity, "That upload could not be attached", ex.Message);
    }
    catch (FileValidationException ex)
    {
        return ErrorPage.Result(StatusCodes.Status422UnprocessableEntity, "That file was not accepted", ex.Message);
    }

    db.Add(document);
    return await SaveUploads(db) ?? Results.Ok(new { redirect = "/" });   // the upload is copied to the row's own key here
});

documentsApi.MapGet("/{id:guid}/file", async (HttpContext http, SampleDbContext db, Guid id) =>
    await Find(http, db, id) is { File: { } file } ? FileObjectResults.Download(file) : Results.NotFound());

documentsApi.MapGet("/{id:guid}/attachments/{index:int}", async (HttpContext http, SampleDbContext db, Guid id, int index) =>
    await Find(http, db, id) is { } document && index >= 0 && index < document.Attachments.Count
        ? FileObjectResults.Stream(document.Attachments[index])
        : Results.NotFound());

documentsApi.MapPost("/{id:guid}/replace", async (HttpContext http, SampleDbContext db, Guid id, IFormFile file) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    document.File = file.ToFileObject();   // the old blob is deleted after the commit
    return await SaveUploads(db) ?? Results.Redirect("/");
});

documentsApi.MapPost("/{id:guid}/attachments", async (HttpContext http, SampleDbContext db, Guid id, IFormFile file) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    document.Attachments.Add(file.ToFileObject());   // in place: the change tracker sees it
    return await SaveUploads(db) ?? Results.Redirect("/");
});

documentsApi.MapPost("/{id:guid}/attachments/{index:int}/delete", async (HttpContext http, SampleDbContext db, StorageRegistry storage, Guid id, int index) =>
{
    if (await Find(http, db, id) is not { } document || index < 0 || index >= document.Attachments.Count)
    {
        return Results.NotFound();
    }

    var removed = document.Attachments[index];
    document.Attachments.RemoveAt(index);
    await db.SaveChangesAsync();   // the blob is deleted after the commit
    Flash.Set(http, $"Removed “{removed.FileName}” from “{document.Title}”. "
        + await StillStored(storage, [removed]));
    return Results.Redirect("/");
});

documentsApi.MapPost("/{id:guid}/delete", async (HttpContext http, SampleDbContext db, StorageRegistry storage, Guid id) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    List<FileObject> files = [.. document.File is { } file ? [file] : Array.Empty<FileObject>(), .. document.Attachments];
    db.Remove(document);
    await db.SaveChangesAsync();   // the blobs are deleted after the commit
    Flash.Set(http, $"Deleted “{document.Title}”. " + await StillStored(storage, files));
    return Results.Redirect("/");
});

app.MapGet("/api/documents", async (HttpContext http, SampleDbContext db) =>
{
    var userId = CurrentUserId(http)!.Value;
    var documents = await db.Documents.Where(d => d.OwnerId == userId).OrderBy(d => d.CreatedAt).ToListAsync();
    return Results.Ok(documents.Select(d => new
    {
        d.Id,
        d.Title,
        File = d.File is null ? null : Describe(d.File),
        Attachments = d.Attachments.Select(Describe),
    }));
}).RequireAuthorization();

app.Run();

// What users see of a file: never its storage key (nor anything derived from it).
static object Describe(FileObject file) => new { file.FileName, file.ContentType, file.Size, file.Checksum };

static long FormLimit(HttpContext context)
    => context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 30_000_000;

// Null when the save committed; otherwise the page saying why the file was refused (nothing was stored or kept).
static async Task<IResult?> SaveUploads(SampleDbContext db)
{
    try
    {
        await db.SaveChangesAsync();
        return null;
    }
    catch (FileValidationException ex)
    {
        return ErrorPage.Result(StatusCodes.Status422UnprocessableEntity, "That file was not accepted", ex.Message);
    }
}

// What the lifecycle did, for the flash message: the files a delete removed are gone from storage once it committed.
static async Task<string> StillStored(StorageRegistry storage, List<FileObject> files)
{
    var left = 0;
    foreach (var file in files)
    {
        left += await storage.Get(file.Backend ?? storage.DefaultName).ExistsAsync(file.Key) ? 1 : 0;
    }

    return files.Count == 0 ? "It had no files." : left == 0
        ? $"{(files.Count == 1 ? "Its file was" : $"Its {files.Count} files were")} removed from storage."
        : $"{left} of its {files.Count} files are still in storage: they will be removed by the background maintenance.";
}

static Guid? CurrentUserId(HttpContext http)
    => Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

static Task SignIn(HttpContext http, User user)
    => http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()), new Claim(ClaimTypes.Name, user.DisplayName)],
        CookieAuthenticationDefaults.AuthenticationScheme)));

static async Task<Document?> Find(HttpContext http, SampleDbContext db, Guid id)
{
    var userId = CurrentUserId(http);
    return await db.Documents.SingleOrDefaultAsync(d => d.Id == id && d.OwnerId == userId);
}

/// <summary>What the browser sends to attach a direct upload to a new document.</summary>
internal sealed record DirectAttachment(string Title, string Token);

/// <summary>The entry point type, visible to the end-to-end test.</summary>
public partial class Program;

using System.Text;
using System.Text.Encodings.Web;
using AlchemyTypes.Sample.Data;

namespace AlchemyTypes.Sample;

/// <summary>The sample's only page: plain HTML forms, no front-end build.</summary>
internal static class HomePage
{
    // Forms marked data-progress are sent with XMLHttpRequest so the upload's progress can be shown; without script they
    // are plain form posts. The percentages seen are kept in sessionStorage for the page that follows (and the browser test).
    private const string ProgressScript = """
        <script>
        document.querySelectorAll('form[data-progress]').forEach(form => form.addEventListener('submit', event => {
          event.preventDefault();
          const bar = document.getElementById(form.dataset.progress), text = document.getElementById(bar.id + '-text');
          const seen = [];
          bar.hidden = false; bar.value = 0; bar.removeAttribute('data-state');
          const xhr = new XMLHttpRequest();
          xhr.open('POST', form.action);
          xhr.upload.onprogress = e => {
            if (!e.lengthComputable) return;
            const percent = Math.floor(100 * e.loaded / e.total);
            bar.value = percent; text.textContent = percent + ' %'; seen.push(percent);
          };
          xhr.upload.onload = () => { bar.value = 100; bar.dataset.state = 'sent'; text.textContent = 'stored, saving…'; };
          xhr.onload = () => {
            sessionStorage.setItem('lastUploadProgress', JSON.stringify(seen));
            if (xhr.status < 400) { location.assign(xhr.responseURL); return; }
            document.open(); document.write(xhr.responseText); document.close();
          };
          xhr.onerror = () => { bar.dataset.state = 'failed'; text.textContent = 'The upload failed: check the connection and try again.'; };
          xhr.send(new FormData(form));
        }));
        </script>
        """;

    // The browser asks the app for an upload target, PUTs the file to it (S3, Azure, or the app's own signed endpoint for
    // local storage) with the headers it names, then attaches the upload to a new document with the token.
    private const string DirectUploadScript = """
        <script>
        const direct = document.getElementById('direct-form');
        if (direct) direct.addEventListener('submit', async event => {
          event.preventDefault();
          const file = direct.elements.file.files[0], title = direct.elements.title.value;
          const bar = document.getElementById('direct-progress'), text = document.getElementById('direct-progress-text');
          const fail = html => { document.open(); document.write(html); document.close(); };
          const json = { 'Content-Type': 'application/json',
            'RequestVerificationToken': document.querySelector('input[name="__RequestVerificationToken"]').value };
          const asked = await fetch('/documents/uploads', { method: 'POST', headers: json,
            body: JSON.stringify({ fileName: file.name, size: file.size, contentType: file.type || null }) });
          if (!asked.ok) return fail(await asked.text());
          const target = await asked.json();
          const seen = [];
          bar.hidden = false;
          const status = await new Promise(resolve => {
            const xhr = new XMLHttpRequest();
            xhr.open(target.method, target.url);
            for (const [name, value] of Object.entries(target.headers)) xhr.setRequestHeader(name, value);
            xhr.upload.onprogress = e => {
              if (!e.lengthComputable) return;
              const percent = Math.floor(100 * e.loaded / e.total);
              bar.value = percent; text.textContent = percent + ' % to storage'; seen.push(percent);
            };
            xhr.onload = () => resolve(xhr.status);
            xhr.onerror = () => resolve(0);
            xhr.send(file);
          });
          sessionStorage.setItem('lastDirectUploadProgress', JSON.stringify(seen));
          if (status < 200 || status >= 300) {
            bar.dataset.state = 'failed';
            text.textContent = status === 0
              ? 'The file could not be sent to the storage service: it is not reachable from this browser, or it does not allow '
                + 'uploads from this site (CORS). Check that the storage is running and allows this origin (docs/sample.md), then try again.'
              : status === 403
                ? 'The storage service refused the upload (403): the upload link expired or its signature does not match. Reload the page and try again.'
                : status === 413
                  ? 'The storage service refused the upload (413): the file is larger than was announced. Choose the file again.'
                  : 'The storage service refused the upload (HTTP ' + status + '). Try again; if it keeps failing, check the storage service.';
            return;
          }
          text.textContent = 'stored, attaching…';
          const attached = await fetch('/documents/direct', { method: 'POST', headers: json, body: JSON.stringify({ title, token: target.token }) });
          if (!attached.ok) return fail(await attached.text());
          location.assign((await attached.json()).redirect);
        });
        </script>
        """;

    public static string Render(string antiforgeryToken, User? user, IReadOnlyList<Document> documents, string? flash, bool directUploads)
    {
        var html = HtmlEncoder.Default;
        var token = $"<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"{html.Encode(antiforgeryToken)}\">";
        var page = new StringBuilder();
        page.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>AlchemyTypes sample</title>
            <link rel="stylesheet" href="/site.css"></head><body>
            <h1>AlchemyTypes sample</h1>
            """);
        if (flash is not null)
        {
            page.Append($"<p class=\"note\" id=\"flash\">{html.Encode(flash)}</p>");
        }

        if (user is null)
        {
            page.Append($"""
                <h2>Sign up</h2>
                <form method="post" action="/signup">{token}
                  <input name="email" type="email" placeholder="email" required> <input name="displayName" placeholder="name" required>
                  <input name="password" type="password" placeholder="password" required> <button>Sign up</button></form>
                <h2>Sign in</h2>
                <form method="post" action="/signin">{token}
                  <input name="email" type="email" placeholder="email" required> <input name="password" type="password" placeholder="password" required>
                  <button>Sign in</button></form>
                """);
        }
        else
        {
            page.Append($"""
                <p>Signed in as <b>{html.Encode(user.DisplayName)}</b> ({html.Encode(user.Email)}) — the email is stored encrypted.
                <form method="post" action="/signout" style="display:inline">{token}<button>Sign out</button></form></p>
                <h2>Upload a document</h2>
                <form method="post" action="/documents" enctype="multipart/form-data" data-progress="upload-progress" id="upload-form">{token}
                  <input name="title" placeholder="title" required> file <input name="file" type="file" required>
                  attachments <input name="attachments" type="file" multiple> <button>Upload</button></form>
                <p><progress id="upload-progress" max="100" value="0" hidden></progress> <span id="upload-progress-text"></span></p>
                """);
            if (directUploads)
            {
                page.Append("""
                    <h2>Upload straight to storage</h2>
                    <form id="direct-form"><input name="title" placeholder="title" required> file <input name="file" type="file" required>
                      <button>Upload directly</button></form>
                    <p><progress id="direct-progress" max="100" value="0" hidden></progress> <span id="direct-progress-text"></span></p>
                    """);
            }

            page.Append("""
                <h2>Documents</h2><table><tr><th>Title</th><th>File</th><th>Attachments</th><th></th></tr>
                """);
            foreach (var document in documents)
            {
                page.Append($"<tr><td>{html.Encode(document.Title)}</td><td>");
                if (document.File is { } file)
                {
                    page.Append($"<a href=\"/documents/{document.Id}/file\">{html.Encode(file.FileName)}</a> "
                        + $"<small class=\"size\">{HumanSize.Format(file.Size ?? 0)}</small>");
                    page.Append($"<form method=\"post\" action=\"/documents/{document.Id}/replace\" "
                        + $"enctype=\"multipart/form-data\" data-progress=\"upload-progress\">{token}<input name=\"file\" type=\"file\" required> "
                        + "<button>Replace</button></form>");
                }

                page.Append("</td><td>");
                for (var i = 0; i < document.Attachments.Count; i++)
                {
                    page.Append($"<a href=\"/documents/{document.Id}/attachments/{i}\">{html.Encode(document.Attachments[i].FileName)}</a> "
                        + $"<small class=\"size\">{HumanSize.Format(document.Attachments[i].Size ?? 0)}</small>");
                    page.Append($"<form method=\"post\" action=\"/documents/{document.Id}/attachments/{i}/delete\" "
                        + $"style=\"display:inline\">{token}<button>remove</button></form><br>");
                }

                page.Append($"<form method=\"post\" action=\"/documents/{document.Id}/attachments\" "
                    + $"enctype=\"multipart/form-data\" data-progress=\"upload-progress\">{token}<input name=\"file\" type=\"file\" required> "
                    + "<button>Add</button></form>");
                page.Append($"</td><td><form method=\"post\" action=\"/documents/{document.Id}/delete\">{token}<button>Delete</button></form></td></tr>");
            }

            page.Append("</table>");
        }

        page.Append(ProgressScript).Append(DirectUploadScript).Append("</body></html>");
        return page.ToString();
    }
}

namespace S3Overlay.Browser.Pages;

/// <summary>
/// The pages' one script (inline, allowed by the page's CSP nonce). Keys come from data-*
/// attributes, never from script text. Uploads and deletes ask the server for a presigned URL
/// and send the request straight to the S3 API, so they are ordinary S3 requests.
/// </summary>
internal static class BrowserScript
{
    public const string Source = """
        (function () {
          'use strict';
          document.querySelectorAll('time[datetime]').forEach(function (t) {
            var d = new Date(t.dateTime);
            if (!isNaN(d)) { t.title = t.textContent; t.textContent = d.toLocaleString(); }
          });

          function presign(url, method, key) {
            return fetch(url, { method: 'POST', credentials: 'same-origin',
                body: new URLSearchParams({ method: method, key: key }) })
              .then(function (r) { if (!r.ok) throw new Error('presign: HTTP ' + r.status); return r.json(); })
              .then(function (j) { return j.url; });
          }

          function s3Error(xhr) {
            var m = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText || '');
            return 'HTTP ' + xhr.status + (m ? ': ' + m[1] : '');
          }

          function send(method, url, body, onProgress) {
            return new Promise(function (resolve, reject) {
              var xhr = new XMLHttpRequest();
              xhr.open(method, url);
              if (onProgress) xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded, e.total); };
              xhr.onload = function () { xhr.status >= 200 && xhr.status < 300 ? resolve(xhr) : reject(new Error(s3Error(xhr))); };
              xhr.onerror = function () { reject(new Error('network error')); };
              xhr.send(body);
            });
          }

          var drop = document.getElementById('drop');
          if (drop) {
            var input = document.getElementById('files'), list = document.getElementById('uploads');
            function upload(files) {
              var failed = false, chain = Promise.resolve();
              Array.prototype.forEach.call(files, function (file) {
                var li = document.createElement('li'), name = document.createElement('span'),
                    bar = document.createElement('progress'), state = document.createElement('span');
                name.className = 'fname'; name.textContent = file.name; name.title = file.name;
                bar.max = 1; bar.value = 0; state.className = 'state'; state.textContent = 'waiting';
                li.append(name, bar, state); list.append(li);
                chain = chain.then(function () {
                  state.textContent = '0 %';
                  return presign(drop.dataset.presign, 'PUT', drop.dataset.prefix + file.name)
                    .then(function (url) {
                      return send('PUT', url, file, function (done, total) {
                        bar.value = done / total; state.textContent = Math.floor(100 * done / total) + ' %';
                      });
                    })
                    .then(function () { bar.value = 1; state.textContent = 'done'; })
                    .catch(function (e) { failed = true; state.textContent = 'failed'; state.classList.add('error'); li.title = e.message; });
                });
              });
              chain.then(function () { if (!failed) location.reload(); });
            }
            input.addEventListener('change', function () { upload(input.files); input.value = ''; });
            ['dragenter', 'dragover'].forEach(function (n) {
              drop.addEventListener(n, function (e) { e.preventDefault(); drop.classList.add('over'); });
            });
            ['dragleave', 'drop'].forEach(function (n) {
              drop.addEventListener(n, function (e) { e.preventDefault(); drop.classList.remove('over'); });
            });
            drop.addEventListener('drop', function (e) { upload(e.dataTransfer.files); });
          }

          document.querySelectorAll('button[data-delete]').forEach(function (b) {
            b.addEventListener('click', function () {
              if (!confirm('Delete ' + b.dataset.key + '?')) return;
              b.disabled = true;
              presign(b.dataset.presign, 'DELETE', b.dataset.key)
                .then(function (url) { return send('DELETE', url, null); })
                .then(function () { b.dataset.then ? location.assign(b.dataset.then) : location.reload(); })
                .catch(function (e) { b.disabled = false; alert('Could not delete: ' + e.message); });
            });
          });

          // The overlay bar: warm, evict and whiteouts through the admin API. Same-origin fetches
          // (the browser says so in Sec-Fetch-Site), so the API's cross-site guard lets them through.
          var overlay = document.getElementById('overlay');
          if (overlay && overlay.querySelector('button')) {
            var api = overlay.dataset.api, bucket = encodeURIComponent(overlay.dataset.bucket), name = encodeURIComponent(overlay.dataset.name),
                state = document.getElementById('overlay-state'), meter = document.getElementById('warm-progress');
            // What the last warm did, kept across the reload that shows its effect.
            if (sessionStorage.getItem('overlay-state')) { state.textContent = sessionStorage.getItem('overlay-state'); sessionStorage.removeItem('overlay-state'); }
            function call(method, path) {
              return fetch(api + path, { method: method, credentials: 'same-origin' }).then(function (r) {
                return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || 'HTTP ' + r.status); return j; });
              });
            }
            function busy(on) { overlay.querySelectorAll('button').forEach(function (b) { b.disabled = on; }); }
            function failed(e) { busy(false); state.textContent = 'failed: ' + e.message; state.classList.add('error'); }
            function follow(id) {
              return call('GET', '/jobs/' + encodeURIComponent(id)).then(function (job) {
                meter.hidden = false;
                if (job.objectsTotal) { meter.max = job.objectsTotal; meter.value = job.objectsDone; }
                state.textContent = job.state + ': ' + job.objectsDone + (job.objectsTotal != null ? ' of ' + job.objectsTotal : '') + ' objects' + (job.objectsFailed ? ' (' + job.objectsFailed + ' failed)' : '') + (job.objectsSkipped ? ' (' + job.objectsSkipped + ' deleted here)' : '') + ', ' + job.bytes + ' bytes';
                if (job.state === 'running') return new Promise(function (r) { setTimeout(r, 250); }).then(function () { return follow(id); });
                if (job.state !== 'completed') throw new Error(job.error || job.state);
              });
            }
            overlay.querySelector('button[data-warm]').addEventListener('click', function () {
              busy(true); state.textContent = 'starting';
              call('POST', '/warm/' + bucket + '?' + overlay.dataset.scope + '=' + name)
                .then(function (j) { return follow(j.id); })
                .then(function () { sessionStorage.setItem('overlay-state', 'Warm ' + state.textContent); location.reload(); }, failed);
            });
            overlay.querySelector('button[data-evict]').addEventListener('click', function () {
              busy(true); state.textContent = 'evicting';
              call('DELETE', '/cache/' + bucket + '?' + overlay.dataset.scope + '=' + name)
                .then(function () { location.reload(); }, failed);
            });
            var shown = overlay.querySelector('button[data-whiteouts]'), box = document.getElementById('whiteouts');
            if (shown) shown.addEventListener('click', function () {
              if (!box.hidden) { box.hidden = true; shown.textContent = 'Show deleted keys'; return; }
              call('GET', '/whiteouts/' + bucket + '?prefix=' + name).then(function (j) {
                var list = box.querySelector('ul'); list.textContent = '';
                j.whiteouts.forEach(function (w) {
                  var li = document.createElement('li'), when = document.createElement('span');
                  li.className = 'mono'; li.dataset.whiteout = w.key; li.textContent = w.key + ' ';
                  when.className = 'muted'; when.textContent = 'deleted ' + new Date(w.deletedAt).toLocaleString();
                  li.append(when); list.append(li);
                });
                if (j.whiteouts.length === 0) list.textContent = 'No keys deleted here.';
                if (j.truncated) { var more = document.createElement('li'); more.textContent = '…and more'; list.append(more); }
                box.hidden = false; shown.textContent = 'Hide deleted keys';
              }, failed);
            });
          }

          document.querySelectorAll('button[data-copy]').forEach(function (b) {
            b.addEventListener('click', function () {
              var field = document.getElementById(b.dataset.copy);
              field.select();
              (navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject())
                .then(function () { b.textContent = 'Copied'; }, function () { document.execCommand('copy'); });
            });
          });
        })();
        """;
}

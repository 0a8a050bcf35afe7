// s3rver 3.7.1 answers a PUT (and an UploadPart) once the body has passed through its MD5
// transform, before its file write stream has written it: a GET or HEAD right after the answer
// can find the file truncated under the new ETag. A fresh-clone CI run saw exactly that
// (TornIndexTests: a cache index the restarted proxy had just written read back as 0 bytes with
// its new ETag). S3 and MinIO are read-after-write consistent; with this, so is the s3rver the
// tests run: the store answers once the file holds the bytes ('finish' of its write stream).
// Otherwise the same code as s3rver's own (lib/stores/filesystem.js, putObject and putPart).
'use strict';
const crypto = require('crypto');
const fs = require('fs-extra');
const path = require('path');
const { Transform } = require('stream');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

/** Writes `content` (a Buffer or a stream) to `filePath`; resolves [size, md5] once the file has it. */
function writeWhole(filePath, content) {
  return new Promise((resolve, reject) => {
    const md5 = crypto.createHash('md5');
    let size = 0;
    const file = fs.createWriteStream(filePath).on('error', reject);
    file.on('finish', () => resolve([size, md5.digest('hex')]));
    if (Buffer.isBuffer(content)) {
      md5.update(content);
      size = content.length;
      file.end(content);
      return;
    }
    content
      .pipe(new Transform({
        transform(chunk, encoding, callback) {
          md5.update(chunk, encoding);
          size += chunk.length;
          callback(null, chunk);
        },
      }))
      .on('error', reject)
      .pipe(file);
  });
}

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.mkdirp(path.dirname(objectPath));
  const [size, md5] = await writeWhole(objectPath, object.content);
  await this.putMetadata(object.bucket, object.key, object.metadata, md5);
  return { size, md5 };
};

FilesystemStore.prototype.putPart = async function putPart(bucket, uploadId, partNumber, content) {
  const partPath = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, partNumber.toString());
  await fs.mkdirp(path.dirname(partPath));
  const [size, md5] = await writeWhole(partPath, content);
  await fs.writeFile(`${partPath}.md5`, md5);
  return { size, md5 };
};

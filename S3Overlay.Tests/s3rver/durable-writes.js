// s3rver 3.7.1 writes an object in place, in three files (the body, its MD5, its metadata), and
// reads them with no regard for a write under way. S3 and MinIO replace an object whole, and so
// does the s3rver the tests run, with this:
//
// - A PUT (and an UploadPart) is answered once its bytes are in the file ('finish' of its write
//   stream), not once they have passed its MD5 transform: a GET or HEAD right after the answer
//   could find the file truncated under the new ETag (seen: a cache index the restarted proxy
//   had just written read back as 0 bytes with its new ETag).
// - Each file is written beside its place and renamed into it, so no reader finds one half
//   written. A metadata file read while it was being rewritten failed JSON.parse, a
//   500 InternalError (measured: 224 of 1,010 GETs of a key two writers kept rewriting), and a
//   body that shrank under a GET cut its answer short (122 connections reset).
// - The three files of a key are replaced, and read for a GET or HEAD, as one step (a lock per
//   key): a GET never pairs one version's length or ETag with another's body. A body opened is
//   read to its end whatever replaces it, as the rename leaves the opened file as it was.
//
// With S3RVER_WRITES_IN_PLACE=1 only the first holds: an object is written over its files, as
// s3rver does, for a test of a store that writes in place (a PUT cut off midway leaves it torn).
//
// Otherwise the same code as s3rver's own (lib/stores/filesystem.js).
'use strict';
const crypto = require('crypto');
const fs = require('fs-extra');
const path = require('path');
const { Transform } = require('stream');
const { pick, pickBy } = require('lodash');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');

let written = 0;

/** A name beside `filePath` for a file being written: never an object's name (those end in "._S3rver_object"), so listings skip it. */
function besides(filePath) {
  return `${filePath}.${process.pid}-${++written}.writing`;
}

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

/** Writes `content` beside `filePath` and renames it into place; resolves [size, md5]. */
async function replaceWhole(filePath, content) {
  const temp = besides(filePath);
  try {
    const result = await writeWhole(temp, content);
    return [result, temp];
  } catch (err) {
    await fs.remove(temp).catch(() => {});
    throw err;
  }
}

async function writeFileWhole(filePath, data) {
  const temp = besides(filePath);
  await fs.writeFile(temp, data);
  await fs.rename(temp, filePath);
}

// One step at a time per key: the tail of each key's chain of steps.
const steps = new Map();

function oneAtATime(id, step) {
  const before = steps.get(id) || Promise.resolve();
  const mine = before.then(step, step);
  const tail = mine.catch(() => {});
  steps.set(id, tail);
  tail.then(() => {
    if (steps.get(id) === tail) steps.delete(id);
  });
  return mine;
}

/** Each write replaces its files whole, and a key's files are swapped, and read, as one step. */
function replaceEachWriteWhole() {
  const getMetadata = store.getMetadata;
  const getObject = store.getObject;
  const deleteObject = store.deleteObject;
  const keyOf = (bucket, key) => `${bucket}/${key}`;

  store.putMetadata = async function putMetadata(bucket, key, metadata, md5) {
    const json = {
      ...pick(metadata, S3Object.ALLOWED_METADATA),
      ...pickBy(metadata, (value, name) => name.startsWith('x-amz-meta-')),
    };
    if (md5) await writeFileWhole(this.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeFileWhole(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(json, null, 2));
  };

  store.putObject = async function putObject(object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await fs.mkdirp(path.dirname(objectPath));
    // The body is taken in beside the object, for as long as the client sends it; only the swap waits its turn.
    const [[size, md5], temp] = await replaceWhole(objectPath, object.content);
    await oneAtATime(keyOf(object.bucket, object.key), async () => {
      await fs.rename(temp, objectPath);
      await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    });
    return { size, md5 };
  };

  store.getMetadata = function (bucket, key) {
    return oneAtATime(keyOf(bucket, key), () => getMetadata.call(this, bucket, key));
  };

  // s3rver's own getObject reads the metadata and opens the body: as one step, with the metadata read unlocked inside it.
  store.getObject = function (bucket, key, options) {
    return oneAtATime(keyOf(bucket, key), () => {
      const unlocked = Object.create(this, { getMetadata: { value: getMetadata } });
      return getObject.call(unlocked, bucket, key, options);
    });
  };

  store.deleteObject = function (bucket, key) {
    return oneAtATime(keyOf(bucket, key), () => deleteObject.call(this, bucket, key));
  };

  store.putPart = async function putPart(bucket, uploadId, partNumber, content) {
    const partPath = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, partNumber.toString());
    await fs.mkdirp(path.dirname(partPath));
    const [[size, md5], temp] = await replaceWhole(partPath, content);
    await fs.rename(temp, partPath);
    await writeFileWhole(`${partPath}.md5`, md5);
    return { size, md5 };
  };
}

const store = FilesystemStore.prototype;

if (process.env.S3RVER_WRITES_IN_PLACE === '1') {
  store.putObject = async function putObject(object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await fs.mkdirp(path.dirname(objectPath));
    const [size, md5] = await writeWhole(objectPath, object.content);
    await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };

  store.putPart = async function putPart(bucket, uploadId, partNumber, content) {
    const partPath = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, partNumber.toString());
    await fs.mkdirp(path.dirname(partPath));
    const [size, md5] = await writeWhole(partPath, content);
    await fs.writeFile(`${partPath}.md5`, md5);
    return { size, md5 };
  };
} else {
  replaceEachWriteWhole();
}

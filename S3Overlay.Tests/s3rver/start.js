// Starts s3rver on 127.0.0.1 at a free port and prints {"port":N} once it listens.
// It stops when its standard input closes, so it never outlives the test process that started it.
// Usage: node start.js <data-directory>
'use strict';
const S3rver = require('s3rver');
require('./durable-writes'); // a PUT is answered once its bytes are in the file (see there)

const directory = process.argv[2];
if (!directory) {
  console.error('usage: node start.js <data-directory>');
  process.exit(2);
}

// Its one account's key pair can be another (S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY): a request
// signed with any other access key is answered InvalidAccessKeyId. (The secret is not checked:
// signatures may mismatch, below.)
if (process.env.S3RVER_ACCESS_KEY) {
  const account = require('s3rver/lib/models/account');
  account.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  account.DUMMY_ACCOUNT.createKeyPair(process.env.S3RVER_ACCESS_KEY, process.env.S3RVER_SECRET_KEY || '');
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  // Tests put a counting relay in front of s3rver, which changes the Host header the client signed.
  allowMismatchedSignatures: true,
  vhostBuckets: false,
});

server.run().then(
  (address) => {
    process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));

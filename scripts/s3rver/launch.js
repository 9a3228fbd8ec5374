// Starts @20minutes/s3rver on a free loopback port, creates the test bucket, prints the port.
// Needs `node --openssl-legacy-provider` on Node 20 (its list pagination tokens use DES).
const S3rver = require('@20minutes/s3rver');
const dir = process.argv[2];
const bucket = process.argv[3] || 'lamin-test';
new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true,
             configureBuckets: [{ name: bucket }] })
  .run()
  .then((address) => {
    process.stdout.write(String(address.port) + '\n');
  })
  .catch((err) => { console.error(err); process.exit(1); });

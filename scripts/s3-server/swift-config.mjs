/**
 * The configuration files of a one-node, one-replica Swift cluster whose
 * proxy speaks S3 (the s3api middleware) with tempauth's HMAC-style keys.
 * Pure text: start.mjs writes these into its temp folder.
 */
import { randomBytes } from 'node:crypto';

/** tempauth's user; s3api takes `account:user` as the S3 access key. */
export const ACCESS_KEY_ID = 'test:tester';
export const SECRET_ACCESS_KEY = 'testing';

/**
 * s3api serves exactly one location: CreateBucket accepts only this
 * LocationConstraint (or none), and SigV4 requests must be signed for this
 * region. COS's constraints name a location and a storage class.
 */
export const DEFAULT_LOCATION = 'us-south-standard';

/** COS, like S3, allows 10,000 parts; Swift's defaults stop at 1,000. */
const MAX_PARTS = 10_000;

/**
 * Settings shared by all four servers. `workers = 0` keeps each server one
 * process (no forked workers), so its pid is all there is to stop, and the
 * two-core CI machines are not crowded. `fallocate_reserve = 0` stops a
 * nearly full CI disk from turning every write into 507.
 * @param {{ folder: string, port: number }} options
 */
function serverDefaults({ folder, port }) {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = ${currentUser()}
swift_dir = ${folder}
devices = ${folder}/devices
mount_check = false
disable_fallocate = true
fallocate_reserve = 0
log_level = WARNING
`;
}

/** Swift drops privileges to `user`; naming ourselves makes that a no-op. */
function currentUser() {
  const uid = process.getuid?.();
  return uid === 0 ? 'root' : (process.env.USER ?? 'root');
}

/** @param {string} text */
const filter = (text) => `use = egg:swift#${text}\n`;

/**
 * @param {{
 *   folder: string,
 *   ports: { proxy: number, account: number, container: number,
 *            object: number, memcached: number },
 *   location: string,
 * }} options
 * @returns {Record<string, string>} file name in the folder → contents
 */
export function swiftConfigFiles({ folder, ports, location }) {
  return {
    // The hash prefix/suffix only has to be stable for this cluster's life.
    'swift.conf': `[swift-hash]
swift_hash_path_prefix = ${randomBytes(8).toString('hex')}
swift_hash_path_suffix = ${randomBytes(8).toString('hex')}

[storage-policy:0]
name = Policy-0
default = yes
`,

    'account-server.conf': `${serverDefaults({ folder, port: ports.account })}
[pipeline:main]
pipeline = healthcheck account-server

[app:account-server]
${filter('account')}
[filter:healthcheck]
${filter('healthcheck')}`,

    'container-server.conf': `${serverDefaults({ folder, port: ports.container })}
[pipeline:main]
pipeline = healthcheck container-server

[app:container-server]
${filter('container')}
[filter:healthcheck]
${filter('healthcheck')}`,

    'object-server.conf': `${serverDefaults({ folder, port: ports.object })}
[pipeline:main]
pipeline = healthcheck object-server

[app:object-server]
${filter('object')}
[filter:healthcheck]
${filter('healthcheck')}`,

    'proxy-server.conf': `${serverDefaults({ folder, port: ports.proxy })}
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
${filter('proxy')}# The first bucket of an account creates the account.
account_autocreate = true

[filter:tempauth]
${filter('tempauth')}# .admin owns the account, which is what lets the key create buckets.
user_test_tester = ${SECRET_ACCESS_KEY} .admin

[filter:s3api]
${filter('s3api')}location = ${location}
max_upload_part_num = ${MAX_PARTS}
# Parts below 5 MiB (but the last) fail CompleteMultipartUpload, as on COS.
min_segment_size = 5242880

[filter:slo]
${filter('slo')}max_manifest_segments = ${MAX_PARTS}

[filter:cache]
${filter('memcache')}memcache_servers = 127.0.0.1:${ports.memcached}

[filter:catch_errors]
${filter('catch_errors')}
[filter:gatekeeper]
${filter('gatekeeper')}
[filter:healthcheck]
${filter('healthcheck')}
[filter:proxy-logging]
${filter('proxy_logging')}
[filter:listing_formats]
${filter('listing_formats')}
[filter:copy]
${filter('copy')}
[filter:dlo]
${filter('dlo')}`,
  };
}

/**
 * A Python program, run with Debian's python3, that builds the three
 * one-device rings and checks that the folder keeps user xattrs (the
 * object server stores each object's metadata in them). It calls the
 * RingBuilder that `swift-ring-builder` wraps because one interpreter
 * start (half a second) beats the nine runs of the command (five seconds).
 * argv: folder, account port, container port, object port.
 */
export const BUILD_RINGS_PY = `
import os, sys
from swift.common.ring import RingBuilder

folder = sys.argv[1]
probe = os.path.join(folder, 'devices', 'd1', 'xattr-probe')
open(probe, 'w').close()
try:
    os.setxattr(probe, 'user.swift.probe', b'x' * 254)
except OSError as error:
    sys.exit('%s does not support user xattrs (%s); put the server on ext4 '
             'or xfs with MAXREC_S3_DIR.' % (folder, error))
os.unlink(probe)

for name, port in zip(('account', 'container', 'object'), sys.argv[2:]):
    # part power 0, one replica, no minimum hours between moves
    builder = RingBuilder(0, 1, 0)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                     'port': int(port), 'device': 'd1', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(os.path.join(folder, name + '.ring.gz'))
`;

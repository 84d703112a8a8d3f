// Package sftpd is sluice's SFTP server: SSH public-key logins per account,
// a virtual folder per account (no user path ever reaches the file system),
// atomic uploads into the blob store, and the read-only /errors/ folder.
//
// Behaviour worth knowing (SPEC §2 leaves these open):
//
//   - Login: the SSH user name is the account id (compared ignoring case);
//     the key, found by its SHA256 fingerprint, must belong to that account.
//     Public keys only. A successful login updates the key's last use.
//   - Only the sftp subsystem. exec and shell requests are answered like
//     OpenSSH's ForceCommand internal-sftp: nothing runs, the client reads
//     "this server only offers SFTP" and gets exit status 1. Port and agent
//     forwarding, X11 and ptys are refused.
//   - Messages: a refusal is an SFTP status FAILURE carrying the message
//     (clients such as pkg/sftp, WinSCP and FileZilla show it) and the same
//     text on the channel's stderr as "sluice: …", because OpenSSH's sftp
//     prints only the status code ("Failure") of an SFTP error.
//   - Names: data files *.csv, *.csv.gz, *.csv.{asc,gpg,pgp},
//     *.csv.gz.{asc,gpg,pgp}; manifests *.manifest; suffixes match ignoring
//     case (as the manifest's fileName check does). Uploads go to / only.
//   - Temporary names (<accepted name>.filepart, .part, .tmp): a normal close
//     keeps the file pending on its connection: listed, readable and
//     renamable there only, counted against the quota, never recorded or
//     announced. Renaming it onto an accepted name uploads it (record and
//     announce then). Removing it, or the connection ending, discards it.
//   - Recorded uploads cannot be renamed or removed over SFTP; a stored data
//     file is replaced by uploading it again under its name (the old blob is
//     deleted). Appending and resuming are refused; a file closed with gaps
//     (bytes never written) is refused and discarded.
//   - /errors/<base>.errors.csv is each ended import's error file (header,
//     then the refused rows), <base> being the data file name without its
//     data suffix. When imports share a base name the newest keeps the plain
//     name and older ones are <base>.<import id>.errors.csv. Its listed size
//     is the import's ErrorBytes. Read-only.
//   - Limits: a write past the file size limit, or past the account quota,
//     fails with a message and the upload is discarded. The quota counts
//     stored and locked uploads (less a stored data file the upload would
//     replace) plus bytes in flight on every node (store reservations); it
//     is checked again, with fresh store figures, at commit. At most 32
//     uploads open per connection.
//   - Bans: a connection that tried a real login method (not just "none")
//     and never logged in counts one failure against its IP address; a
//     client offering several keys before the right one is not penalised.
//   - Deleted keys: KickKey ends their sessions at once; a sweep every
//     KeyCheckEvery ends sessions of keys deleted by another process.
//   - Durability: an upload counts once the blob is committed (the local
//     blob store fsyncs) and RecordUpload has returned; then Subscriber
//     hears of it. A connection that drops with a file open never records
//     it: pkg/sftp reports the drop (TransferError) before closing handles.
//
// Performance: pkg/sftp hands each 32 KiB write to one of its workers, so
// writes arrive slightly out of order. The coalescer puts them back in order
// in 1 MiB blocks (holding up to 2 MiB that arrived early), and a flusher
// goroutine per upload hashes (SHA-256) and writes each block. No SFTP reply
// waits for the disk, and memory per upload stays bounded (about 4 MiB).
package sftpd

export * from './mountinfo';
export * from './blkid';
export * from './fs-size';
export * from './devices';
export * from './filesystems';

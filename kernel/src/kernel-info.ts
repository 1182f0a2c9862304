/** The kernel's name and version, sent in `initialize` and reported by `kernel.status`. */
export const KERNEL_NAME = 'cyberstudio';
/** The kernel's version. */
export const KERNEL_VERSION = '0.1.0';

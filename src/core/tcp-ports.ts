/**
 * Ports WeChat's TCPSocket refuses (wx.createTCPSocket page, developers.weixin.qq.com/miniprogram/
 * dev/api/network/tcp/wx.createTCPSocket.html): below 1024, and this list. Checked when options are
 * read, so a bad port is an INVALID_OPTION before any platform call.
 */
const FORBIDDEN: readonly (number | readonly [number, number])[] = [
  1099, 1433, 1521, 1719, 1720, 1723, 2049, 2375, 3128, 3306, 3389, 3659, 4045, 5060, 5061, 5432, 5984, 6379, 6000, 6566,
  7001, 7002, [8000, 8100], 8443, 8888, 9200, 9300, 10051, 10080, 11211, 27017, 27018, 27019,
];

export function isForbiddenTcpPort(port: number): boolean {
  return port < 1024 || FORBIDDEN.some((entry) => (typeof entry === 'number' ? entry === port : port >= entry[0] && port <= entry[1]));
}

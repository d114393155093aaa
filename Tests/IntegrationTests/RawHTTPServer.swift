import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare HTTP/1.1 server on a loopback socket that sends exactly the bytes a test gives, headers included
/// (Hummingbird always writes its own `Date` header, which the clock-skew test must choose).
final class RawHTTPServer: @unchecked Sendable {
    let port: Int
    private let socket: Int32
    private let thread: Thread

    /// Serves each connection with `answer()` (the whole response: status line, headers and body), then closes it.
    /// With a `bodyDelay`, the head goes out first and the body that long after it.
    init(bodyDelay: TimeInterval = 0, answer: @escaping @Sendable () -> String) throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        socket = descriptor
        thread = Thread {
            while true {
                let connection = accept(descriptor, nil, nil)
                if connection < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 65536)
                var request = [UInt8]()
                while !request.isEmpty ? !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") : true {
                    let count = read(connection, &buffer, buffer.count)
                    if count <= 0 { break }
                    request += buffer[0..<count]
                }
                let response = Array(answer().utf8)
                let headEnd = bodyDelay > 0 ? (response.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound ?? response.count) : response.count
                _ = response[..<headEnd].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                if headEnd < response.count {
                    Thread.sleep(forTimeInterval: bodyDelay)
                    _ = response[headEnd...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                }
                close(connection)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }
}

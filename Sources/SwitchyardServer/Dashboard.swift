import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardStore

enum Dashboard {
    static func loginPage(status: HTTPResponse.Status, message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}

extension SwitchyardServer {
    func addDashboardRoutes(_ router: Router<AppContext>) {}
}

// The iOS KeyStore hook: keeps each Regimen database's 32-byte data key in the Keychain.

import Foundation
import Security
import RegimenBindings

/// Keeps Regimen's data keys as generic-password items in the iOS Keychain, one per alias.
///
/// Items are readable after the first unlock following a reboot, so a notification extension
/// can log a dose while the phone is locked. They are not marked "this device only": an
/// encrypted backup or a device-to-device transfer carries the key along with the database, so
/// a patient who changes phones keeps their history. Share the database and the key with an
/// app extension through an App Group and a Keychain access group (`accessGroup`).
public final class KeychainKeyStore: KeyStore, @unchecked Sendable {
    private let service: String
    private let accessGroup: String?

    /// - Parameters:
    ///   - service: the Keychain service the items are filed under.
    ///   - accessGroup: a Keychain access group shared with app extensions, if any.
    public init(service: String = "org.regimen.database-key", accessGroup: String? = nil) {
        self.service = service
        self.accessGroup = accessGroup
    }

    public func loadKey(alias: String) throws -> Data? {
        var query = itemQuery(alias: alias)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        switch status {
        case errSecSuccess:
            guard let key = result as? Data else {
                throw KeyStoreError.Unavailable(reason: "the Keychain item holds no data")
            }
            return key
        case errSecItemNotFound:
            return nil
        default:
            throw KeyStoreError.Unavailable(reason: Self.describe(status))
        }
    }

    public func saveKey(alias: String, key: Data) throws {
        var item = itemQuery(alias: alias)
        item[kSecValueData as String] = key
        item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlock
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw KeyStoreError.Unavailable(reason: Self.describe(status))
        }
    }

    private func itemQuery(alias: String) -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: alias,
        ]
        if let accessGroup {
            query[kSecAttrAccessGroup as String] = accessGroup
        }
        return query
    }

    private static func describe(_ status: OSStatus) -> String {
        switch status {
        case errSecInteractionNotAllowed:
            return "the device has not been unlocked since it started"
        case errSecDuplicateItem:
            return "a key already exists under this alias"
        default:
            return "Keychain error \(status)"
        }
    }
}

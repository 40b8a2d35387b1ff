<?php
/*
 * The hosted IdP. Signs both the Response and the Assertion with rsa-sha256,
 * issues an emailAddress NameID carrying the mail, and sends only the three
 * Alibaba Cloud role-SSO attributes with NameFormat uri.
 */
require_once dirname(__DIR__) . '/_testbed.php';
$tb = s2s_testbed();

$uri = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
$email = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
$attrRole = 'https://www.aliyun.com/SAML-Role/Attributes/Role';
$attrSessionName = 'https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName';
$attrDuration = 'https://www.aliyun.com/SAML-Role/Attributes/SessionDuration';

$metadata[$tb['entity_id']] = [
    'host' => '__DEFAULT__',
    'privatekey' => $tb['key_path'],
    'certificate' => $tb['cert_path'],
    'auth' => 'testbed-userpass',

    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,

    'NameIDFormat' => $email,
    'attributes.NameFormat' => $uri,
    'attributeencodings' => [],

    'authproc' => [
        /* Must run before AttributeLimit drops "mail" (else: transient NameID). */
        10 => [
            'class' => 'saml:AttributeNameID',
            'attribute' => 'mail',
            'Format' => $email,
        ],
        20 => [
            'class' => 'core:PHP',
            'code' => 'if (!isset($attributes["aliyunSessionDuration"])) {'
                . ' $attributes["aliyunSessionDuration"] = ["' . $tb['default_session_duration'] . '"]; }',
        ],
        30 => [
            'class' => 'core:AttributeCopy',
            'mail' => $attrSessionName,
        ],
        40 => [
            'class' => 'core:AttributeMap',
            'aliyunRole' => $attrRole,
            'aliyunSessionDuration' => $attrDuration,
        ],
        90 => [
            'class' => 'core:AttributeLimit',
            $attrRole,
            $attrSessionName,
            $attrDuration,
        ],
    ],
];

// The JMAP objects the webmail reads and writes (RFC 8620, RFC 8621, RFC 9007), with
// only the properties it uses. Ids and states are opaque strings.

export type Id = string;

export interface Session {
  username: string;
  apiUrl: string;
  downloadUrl: string;
  uploadUrl: string;
  eventSourceUrl: string;
  state: string;
  capabilities: Record<string, unknown>;
  accounts: Record<Id, { name: string; isPersonal: boolean; accountCapabilities: Record<string, unknown> }>;
  primaryAccounts: Record<string, Id>;
}

export type Invocation = [name: string, args: Record<string, unknown>, callId: string];

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface Mailbox {
  id: Id;
  name: string;
  parentId: Id | null;
  role: string | null;
  sortOrder: number;
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
  myRights?: Record<string, boolean>;
  isSubscribed?: boolean;
}

export interface EmailBodyPart {
  partId: string | null;
  blobId: Id | null;
  size: number;
  name: string | null;
  type: string;
  charset: string | null;
  disposition: string | null;
  cid: string | null;
  subParts?: EmailBodyPart[] | null;
}

export interface Email {
  id: Id;
  blobId: Id;
  threadId: Id;
  mailboxIds: Record<Id, boolean>;
  keywords: Record<string, boolean>;
  size: number;
  receivedAt: string;
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  from: EmailAddress[] | null;
  to: EmailAddress[] | null;
  cc: EmailAddress[] | null;
  bcc: EmailAddress[] | null;
  replyTo: EmailAddress[] | null;
  subject: string | null;
  sentAt: string | null;
  hasAttachment: boolean;
  preview: string;
  textBody?: EmailBodyPart[];
  htmlBody?: EmailBodyPart[];
  attachments?: EmailBodyPart[];
  bodyValues?: Record<string, { value: string; isTruncated: boolean; isEncodingProblem: boolean }>;
  'header:Disposition-Notification-To:asAddresses'?: EmailAddress[] | null;
}

export interface Identity {
  id: Id;
  name: string;
  email: string;
}

export interface MdnDisposition {
  actionMode: string;
  sendingMode: string;
  type: string;
}

export interface Mdn {
  forEmailId: Id | null;
  subject: string | null;
  textBody: string | null;
  finalRecipient: string | null;
  originalRecipient?: string | null;
  originalMessageId?: string | null;
  disposition: MdnDisposition;
}

export interface EmailSubmission {
  id: Id;
  emailId: Id;
  sendAt: string;
  mdnBlobIds: Id[];
  dsnBlobIds: Id[];
  deliveryStatus: Record<string, { delivered: string; displayed: string; smtpReply: string }> | null;
  envelope: { mailFrom: { email: string }; rcptTo: { email: string }[] } | null;
}

export interface VacationResponse {
  id: 'singleton';
  isEnabled: boolean;
  fromDate: string | null;
  toDate: string | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
}

/** The StateChange object of RFC 8620 §7.1. */
export interface StateChange {
  '@type': 'StateChange';
  changed: Record<Id, Record<string, string>>;
}

export const CAP = {
  core: 'urn:ietf:params:jmap:core',
  mail: 'urn:ietf:params:jmap:mail',
  submission: 'urn:ietf:params:jmap:submission',
  mdn: 'urn:ietf:params:jmap:mdn',
  vacation: 'urn:ietf:params:jmap:vacationresponse',
} as const;
